/**
 * A room's day of team chat, priced: 40 messages to the bot from three people in bursts, pauses and breaks, answered
 * by the bot's own turn code (bench/room-day/driver.ts) against the fake Anthropic with an honest prompt cache on a
 * virtual clock, so the day runs in seconds. Each request's blocks are recorded, so the very same requests are
 * re-priced as if sent with no caching, every breakpoint 5-minute, every breakpoint 1-hour, and by the oracle: for
 * each request, knowing when the next one comes, no write if not within the hour, else the cheaper entry that lives
 * until then. `npm run bench -- room-day` (or `node bench/room-day.ts`) runs this part alone.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { type CachedRequest, startFakeAnthropic } from "../test/fakes/anthropic.ts";
import { startFakeCampfire } from "../test/fakes/campfire.ts";
import {
  blockTokens,
  type CacheUsage,
  MIN_CACHEABLE_TOKENS,
  PromptCache,
  TTL_MS,
  type Ttl,
} from "../test/fakes/prompt-cache.ts";
import { SONNET } from "./prices.ts";
import { table } from "./stats.ts";
import { ROOT, readConfig } from "./workerd.ts";

export const SEEDS = [1, 2, 3];
export const BOTS = ["plain", "assistant", "butler"] as const;
type BotId = (typeof BOTS)[number];

/** The plain bot: the assistant's model and words, without tools, knowledge or memory. */
const PLAIN = {
  name: "Plain",
  model: "claude-sonnet-5-5",
  max_tokens: 1024,
  system_prompt: "You are a helpful assistant in a Campfire chat room.",
};

const MESSAGES = 40;
const MODEL_MS = 6_000;
const DAY_START = Date.parse("2026-11-25T08:00:00Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Person {
  id: number;
  name: string;
}
const PEOPLE: Person[] = [
  { id: 11, name: "Ada Lovelace" },
  { id: 12, name: "Grace Hopper" },
  { id: 13, name: "Alan Turing" },
];

interface ToolCall {
  name: string;
  input: unknown;
}

/** One message to the bot, what the room said just before it, and how Claude answers it (per bot). */
export interface DayMessage {
  at: number;
  from: Person;
  text: string;
  chatter: { from: Person; text: string }[];
  answer: string;
  tools: Record<BotId, ToolCall[]>;
}

/** A small deterministic generator (mulberry32), so each seed is the same day on every run. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const between = (low: number, high: number) => low + next() * (high - low);
  return { next, between, int: (low: number, high: number) => Math.floor(between(low, high + 1)) };
}

const WORDS = (
  "the a we it to of and in for on with this that is are be can will should could about after before our team " +
  "release review budget plan meeting draft report customer design test deploy bug fix issue sprint deadline " +
  "friday monday numbers slides notes figures office travel invoice contract roadmap launch feedback question " +
  "decision owner update status risk estimate scope priority milestone agenda summary handbook policy expense " +
  "approval onboarding laptop account access password schedule calendar lunch call demo partner vendor price " +
  "quarter target metric dashboard chart data server database backup outage incident ticket support training"
).split(" ");

function words(rng: ReturnType<typeof random>, low: number, high: number): string {
  const count = rng.int(low, high);
  const text = Array.from({ length: count }, () => WORDS[Math.floor(rng.next() * WORDS.length)]!).join(" ");
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

/**
 * The day of `seed`: bursts of 2–7 messages 20 s – 2 min apart; between bursts a pause of 5 – 50 min, or one time
 * in four a break of 1.5 – 3 h; the same person goes on two times in three. Before each message the room says 0–3
 * things not meant for the bot (room context).
 */
export function schedule(seed: number): DayMessage[] {
  const rng = random(seed);
  const day: DayMessage[] = [];
  let at = DAY_START;
  let speaker = PEOPLE[0]!;
  while (day.length < MESSAGES) {
    const burst = rng.int(2, 7);
    for (let i = 0; i < burst && day.length < MESSAGES; i++) {
      if (i > 0) at += rng.between(20_000, 120_000);
      if (day.length > 0 && rng.next() >= 2 / 3) speaker = PEOPLE.filter((p) => p !== speaker)[rng.int(0, 1)]!;
      const chatter = Array.from({ length: rng.int(0, 3) }, () => ({
        from: PEOPLE[rng.int(0, 2)]!,
        text: words(rng, 4, 25),
      }));
      const text = words(rng, 8, 40);
      const first = !day.some((m) => m.from === speaker);
      const tools: Record<BotId, ToolCall[]> = { plain: [], assistant: [], butler: [] };
      // The assistant looks at the person's memory when it first meets them today, and searches the handbook often.
      if (first) tools.assistant.push({ name: "memory", input: { command: "view", path: "/memories" } });
      if (rng.next() < 0.35) tools.assistant.push({ name: "search_knowledge", input: { query: words(rng, 3, 8) } });
      if (rng.next() < 0.08)
        tools.assistant.push({
          name: "memory",
          input: { command: "create", path: `/memories/note-${day.length}.md`, file_text: words(rng, 8, 20) },
        });
      if (rng.next() < 0.12)
        tools.butler.push({ name: "set_reminder", input: { at: "in 2 hours", text: words(rng, 3, 10) } });
      if (rng.next() < 0.12) tools.butler.push({ name: "room_history", input: {} });
      if (rng.next() < 0.05) tools.butler.push({ name: "list_reminders", input: {} });
      day.push({ at: Math.round(at), from: speaker, text, chatter, answer: words(rng, 30, 160), tools });
    }
    at += rng.next() < 0.25 ? rng.between(1.5 * HOUR, 3 * HOUR) : rng.between(5 * MINUTE, 50 * MINUTE);
  }
  return day;
}

/**
 * What one request was made of, in blocks, as the driver counts it (its `RequestParts`; declared here, like `Driver`,
 * so this file's type check does not take in the bot's code).
 */
type RequestParts = { summary: number } | Record<"tools" | "system" | "history" | "turn" | "rounds", number>;

/** One request as the fake's cache saw it, and what it was billed. */
type Sent = CachedRequest;

/** A day of one bot on one seed: every request, by message. */
export interface Day {
  bot: BotId;
  seed: number;
  /** The requests of each message, in order, and what each was made of. */
  messages: Sent[][];
  parts: RequestParts[][];
  /** The tools the bot offers, in the fake's tokens. */
  toolTokens: number;
  /** Messages whose sender differs from the previous message's. */
  speakerChanges: number;
}

interface Driver {
  DayConversation: new (setup: {
    vars: Record<string, unknown>;
    botId: string;
    anthropicUrl: string;
    campfireUrl: string;
    roomId: number;
    roomName: string;
    setClock(at: number): void;
    modelMs: number;
  }) => {
    turn(
      at: number,
      from: Person,
      text: string,
      messageId: number,
    ): Promise<{ calls: number; toolDefinitions: unknown[]; parts: RequestParts[] }>;
  };
}

/** The driver, bundled with the bot's code; its logs are muted, so the bench's output stays readable. */
async function loadDriver(dir: string): Promise<Driver> {
  const outfile = join(dir, "driver.mjs");
  const logModule = resolve(ROOT, "src/log.ts");
  await build({
    entryPoints: [join(ROOT, "bench/room-day/driver.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile,
    logLevel: "error",
    plugins: [
      {
        name: "mute-log",
        setup(builder) {
          builder.onResolve({ filter: /\/log$/ }, (args) =>
            resolve(args.resolveDir, `${args.path}.ts`) === logModule
              ? { path: logModule, namespace: "muted" }
              : undefined,
          );
          builder.onLoad({ filter: /.*/, namespace: "muted" }, () => ({
            contents: "export function log() {}",
            loader: "js",
          }));
        },
      },
    ],
  });
  return (await import(pathToFileURL(outfile).href)) as Driver;
}

/** Runs every bot's day on every seed against one fake Anthropic (its cache cleared between days) and one fake Campfire. */
export async function roomDays(): Promise<Day[]> {
  const dir = mkdtempSync(join(tmpdir(), "room-day-"));
  let clock = DAY_START;
  let script: DayMessage | null = null;
  let bot: BotId = "plain";
  const anthropic = await startFakeAnthropic({
    now: () => clock,
    minCacheTokens: MIN_CACHEABLE_TOKENS,
    answer: ({ roundsDone }) => {
      const calls = script!.tools[bot];
      return roundsDone < calls.length ? { text: "Let me check.", tool: calls[roundsDone] } : { text: script!.answer };
    },
  });
  // Messages are stamped on the day's virtual clock, as Campfire stamps them when they are said.
  const campfire = await startFakeCampfire({ now: () => clock });
  try {
    const driver = await loadDriver(dir);
    const vars = readConfig(join(ROOT, "wrangler.toml")).vars;
    const days: Day[] = [];
    let roomId = 1;
    for (const seed of SEEDS) {
      const day = schedule(seed);
      for (const id of BOTS) {
        bot = id;
        anthropic.reset();
        campfire.reset();
        const room = roomId++;
        const conversation = new driver.DayConversation({
          vars: { ...vars, BOTS: { ...(vars.BOTS as object), plain: PLAIN } },
          botId: id,
          anthropicUrl: anthropic.url,
          campfireUrl: campfire.url,
          roomId: room,
          roomName: "Team",
          setClock: (at) => (clock = at),
          modelMs: MODEL_MS,
        });
        const messages: Sent[][] = [];
        const parts: RequestParts[][] = [];
        let toolTokens = 0;
        for (const message of day) {
          for (const [i, line] of message.chatter.entries())
            campfire.say(room, line.from, line.text, message.at - 1_000 * (message.chatter.length - i));
          const mention = campfire.say(room, message.from, message.text, message.at);
          script = message;
          const before = anthropic.cacheLog.length;
          const turn = await conversation.turn(message.at, message.from, message.text, mention.id);
          toolTokens = turn.toolDefinitions.reduce<number>((sum, tool) => sum + blockTokens(tool), 0);
          messages.push(anthropic.cacheLog.slice(before));
          parts.push(turn.parts);
        }
        days.push({
          bot: id,
          seed,
          messages,
          parts,
          toolTokens,
          speakerChanges: day.filter((m, i) => i > 0 && m.from !== day[i - 1]!.from).length,
        });
      }
    }
    return days;
  } finally {
    await Promise.all([anthropic.close(), campfire.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Input-equivalent tokens: uncached ×1, 5-minute writes ×1.25, 1-hour writes ×2, reads ×0.1. */
export const inputEquivalent = (u: CacheUsage) =>
  u.input_tokens +
  1.25 * u.cache_creation.ephemeral_5m_input_tokens +
  2 * u.cache_creation.ephemeral_1h_input_tokens +
  0.1 * u.cache_read_input_tokens;

type Choice = Ttl | null;
const choiceFor = (gap: number): Choice => (gap < TTL_MS["5m"] ? "5m" : gap < TTL_MS["1h"] ? "1h" : null);

/**
 * The same requests, each breakpoint re-marked by `mark`, through a fresh cache. Null writes nothing there but still
 * reads what lives: a re-pricing may not lose a read by choosing not to write.
 */
export function reprice(requests: Sent[], mark: (request: number, block: number) => Choice): CacheUsage[] {
  const cache = new PromptCache(MIN_CACHEABLE_TOKENS);
  return requests.map((request, index) =>
    cache.account(
      request.blocks.map((block, b) => {
        if (!block.ttl) return block;
        const ttl = mark(index, b);
        return ttl ? { ...block, ttl } : { ...block, readOnly: true };
      }),
      request.at,
    ),
  );
}

/** The oracle: every breakpoint of a request at the cheapest choice for the gap to the next request. */
export function oracleByRequest(requests: Sent[]): (request: number) => Choice {
  return (index) => choiceFor(index + 1 < requests.length ? requests[index + 1]!.at - requests[index]!.at : Infinity);
}

/**
 * A stricter oracle: each breakpoint knows when its own prefix is next sent (a tool round's in seconds, the
 * history's at the next turn), and is marked for that gap — no breakpoint if never within the hour — with a
 * 5-minute one before a 1-hour one raised to 1 hour, as the API's ordering asks.
 */
export function oracleByBreakpoint(requests: Sent[]): (request: number, block: number) => Choice {
  const sentIn = new Map<string, number[]>();
  for (const [index, request] of requests.entries()) {
    for (const block of request.blocks) sentIn.set(block.key, [...(sentIn.get(block.key) ?? []), index]);
  }
  const marks = requests.map((request, index) => {
    const own = request.blocks.map((block) => {
      if (!block.ttl) return null;
      const next = sentIn.get(block.key)!.find((other) => other > index);
      return choiceFor(next === undefined ? Infinity : requests[next]!.at - request.at);
    });
    let laterHour = false;
    for (let b = own.length - 1; b >= 0; b--) {
      if (own[b] === "1h") laterHour = true;
      else if (own[b] === "5m" && laterHour) own[b] = "1h";
    }
    return own;
  });
  return (request, block) => marks[request]![block]!;
}

/** The parts of a request the breakdown prices apart, in the prompt cache's order; a summary's request is all one. */
export const PARTS = ["tools", "system", "history", "turn", "rounds", "summary"] as const;
type Part = (typeof PARTS)[number];

/**
 * What each part of a request cost in input-equivalent tokens: its tokens priced by where they fall among what the
 * request read (×0.1), wrote for an hour (×2) or 5 minutes (×1.25) and sent uncached (×1), in that order.
 */
export function partCosts(request: Sent, parts: RequestParts): Record<Part, number> {
  const costs = Object.fromEntries(PARTS.map((part) => [part, 0])) as Record<Part, number>;
  const counts: [Part, number][] =
    "summary" in parts
      ? [["summary", parts.summary]]
      : PARTS.slice(0, 5).map((part) => [part, parts[part as Exclude<Part, "summary">]]);
  const blocks = counts.reduce((sum, [, count]) => sum + count, 0);
  if (blocks !== request.blocks.length)
    throw new Error(
      `a request of ${request.blocks.length} blocks was counted as ${blocks} (${JSON.stringify(parts)}): bench/room-day/driver.ts counts the request's parts as the fake's cache splits them, so fix its count`,
    );
  const u = request.usage;
  const read = u.cache_read_input_tokens;
  const hour = read + u.cache_creation.ephemeral_1h_input_tokens;
  const written = hour + u.cache_creation.ephemeral_5m_input_tokens;
  const segments: [number, number, number][] = [
    [0, read, 0.1],
    [read, hour, 2],
    [hour, written, 1.25],
    [written, Infinity, 1],
  ];
  const tokensBefore = (block: number) => (block === 0 ? 0 : request.blocks[block - 1]!.tokens);
  let block = 0;
  for (const [part, count] of counts) {
    const [start, end] = [tokensBefore(block), tokensBefore(block + count)];
    for (const [low, high, price] of segments)
      costs[part] += Math.max(0, Math.min(end, high) - Math.max(start, low)) * price;
    block += count;
  }
  return costs;
}

export interface DayFigures {
  bot: BotId;
  seed: number;
  calls: number;
  toolTokens: number;
  speakerChanges: number;
  /** Per answered message. */
  inputTokens: number;
  dollars: number;
  readShare: number;
  /** The share of the day's input cost spent on messages that came 5 minutes or more after the one before. */
  afterPauses: number;
  /** Input cost of the day, in input-equivalent tokens: ours and re-priced. */
  ours: number;
  none: number;
  fiveMinutes: number;
  oneHour: number;
  /** The oracle (per request), and the stricter one (per breakpoint) the target is held to. */
  oracleByRequest: number;
  oracle: number;
  /** Our input cost per answered message by part of the requests, in input-equivalent tokens. */
  parts: Record<Part, number>;
  /** The share of the dollars per message that is output. */
  outputShare: number;
}

export function figures(day: Day): DayFigures {
  const requests = day.messages.flat();
  const sum = (usages: CacheUsage[]) => usages.reduce((total, u) => total + inputEquivalent(u), 0);
  const ours = sum(requests.map((r) => r.usage));
  const output = requests.reduce((total, r) => total + r.usage.output_tokens, 0);
  const read = requests.reduce((total, r) => total + r.usage.cache_read_input_tokens, 0);
  const sent = requests.reduce(
    (total, r) => total + r.usage.input_tokens + r.usage.cache_read_input_tokens + r.usage.cache_creation_input_tokens,
    0,
  );
  const n = day.messages.length;
  const after = day.messages
    .filter((message, i) => i > 0 && message[0]!.at - day.messages[i - 1]![0]!.at >= TTL_MS["5m"])
    .flat();
  return {
    bot: day.bot,
    seed: day.seed,
    calls: requests.length,
    toolTokens: day.toolTokens,
    speakerChanges: day.speakerChanges,
    inputTokens: ours / n,
    dollars: (ours * SONNET.input + output * SONNET.output) / n,
    readShare: read / sent,
    afterPauses: sum(after.map((r) => r.usage)) / ours,
    ours,
    none: sum(reprice(requests, () => null)),
    fiveMinutes: sum(reprice(requests, () => "5m")),
    oneHour: sum(reprice(requests, () => "1h")),
    oracleByRequest: sum(reprice(requests, oracleByRequest(requests))),
    oracle: sum(reprice(requests, oracleByBreakpoint(requests))),
    parts: Object.fromEntries(
      PARTS.map((part) => [
        part,
        day.messages.reduce(
          (total, message, m) => total + message.reduce((sum, r, i) => sum + partCosts(r, day.parts[m]![i]!)[part], 0),
          0,
        ) / n,
      ]),
    ) as Record<Part, number>,
    outputShare: (output * SONNET.output) / (ours * SONNET.input + output * SONNET.output),
  };
}

/**
 * Today's figures: this bench on the code before the caching work (the bench of commit 9915555 on the code of
 * b9d8bbf; its oracles re-priced by this version): every breakpoint 5-minute, the asker's name in the assistant's
 * system prompt, no breakpoint in tool rounds, the latest room messages sent again each turn. Re-measure them if the
 * day above changes.
 */
export const TODAY: Record<BotId, Record<number, { dollars: number; ratio: number }>> = {
  plain: {
    1: { dollars: 0.0099, ratio: 1.567 },
    2: { dollars: 0.01048, ratio: 1.515 },
    3: { dollars: 0.00991, ratio: 1.35 },
  },
  assistant: {
    1: { dollars: 0.01977, ratio: 1.208 },
    2: { dollars: 0.01889, ratio: 1.1 },
    3: { dollars: 0.01814, ratio: 1.133 },
  },
  butler: {
    1: { dollars: 0.01193, ratio: 1.433 },
    2: { dollars: 0.01339, ratio: 1.31 },
    3: { dollars: 0.01384, ratio: 1.145 },
  },
};

const usd = (value: number) => `$${value.toFixed(4)}`;
const ratio = (value: number) => `${value.toFixed(2)}×`;

export function renderRoomDay(days: DayFigures[]): string[] {
  const rows = days.map((d) => {
    const today = TODAY[d.bot][d.seed];
    return [
      d.bot,
      d.seed,
      d.calls,
      d.toolTokens,
      Math.round(d.inputTokens),
      usd(d.dollars),
      `${(100 * d.readShare).toFixed(0)} %`,
      `${(100 * d.afterPauses).toFixed(0)} %`,
      ratio(d.none / d.oracle),
      ratio(d.fiveMinutes / d.oracle),
      ratio(d.oneHour / d.oracle),
      `**${ratio(d.ours / d.oracle)}** ${d.ours / d.oracle <= 1.1 ? "✓" : "✗"}`,
      ratio(d.ours / d.oracleByRequest),
      today ? `${usd(today.dollars)} (${ratio(today.ratio)})` : "n/a",
      today
        ? `${(100 * (1 - d.dollars / today.dollars)).toFixed(0)} %${1 - d.dollars / today.dollars >= 0.3 ? " ✓" : " ✗"}`
        : "n/a",
    ];
  });
  return [
    table(
      [
        "bot",
        "seed",
        "model calls",
        "tools (tokens)",
        "input-equiv. tokens / message",
        "$ / message",
        "read from cache",
        "input cost after a gap ≥ 5 min",
        "no caching ÷ oracle",
        "all 5 m ÷ oracle",
        "all 1 h ÷ oracle",
        "**ours ÷ oracle** (target ≤ 1.10)",
        "ours ÷ per-request oracle",
        "today: $ / message (÷ oracle)",
        "cut in $ / message (target ≥ 30 %)",
      ],
      rows,
    ),
    "",
    `A day is ${MESSAGES} messages to the bot from three people in bursts (20 s – 2 min apart), pauses (5 – 50 min) and breaks (1.5 – 3 h), the same day for each bot ` +
      `(sender changes: ${days
        .filter((d) => d.bot === "plain")
        .map((d) => d.speakerChanges)
        .join(", ")} on seeds ${SEEDS.join(", ")}); 0–3 room messages not sent to the bot come before each. ` +
      "The plain bot is the assistant without tools, knowledge or memory; assistant and butler are wrangler.toml's. The assistant looks at a person's memory when it first meets them " +
      "and searches the handbook about one turn in three; the butler sets reminders and reads room history now and then. " +
      `Each message is a turn of the bot's own code (\`bench/room-day/driver.ts\`: the shipped config, \`turnRequest\` and \`cachePlan\`, room context and room history read from the fake Campfire (each message stamped on the day's clock), the history's summary as \`turnsToFold\` and \`foldHistory\` make it, ` +
      "`runModelLoop` with the real tools over stand-in storage, the Claude adapter and the SDK over HTTP; not the Durable Object, its alarm or SQLite) " +
      `against the fake Anthropic's honest cache (\`test/fakes/prompt-cache.ts\`: entries live 5 min or 1 h after their last read, ≤ 4 breakpoints, 1-hour before 5-minute, ${MIN_CACHEABLE_TOKENS}-token minimum) ` +
      `on a virtual clock; a model call takes ${MODEL_MS / 1000} s of it. ` +
      "Tokens are the fake's count (a quarter of each block's JSON); Anthropic-defined tools (memory, web search) count as their short definitions, without the instructions the API adds for them. " +
      "Input-equivalent tokens: uncached input ×1, 5-minute writes ×1.25, 1-hour writes ×2, reads ×0.1; dollars add output at Sonnet's prices. " +
      "Model calls and every figure include the summaries of dropped history (on-demand compaction: when nothing of the history is left in the cache, usually after a break of an hour or more, a history of over about 3 000 tokens is folded into a summary but for its newest ~1 000; " +
      "the fake's summary keeps every line of the day's random talk that looks like a decision, so each one is as long as allowed, 512 tokens of output). " +
      "The same recorded requests are re-priced with no caching, every breakpoint 5-minute, every breakpoint 1-hour, and by two oracles that know when each next request comes: " +
      "the issue's, per request (5 m if the next comes within 5 min, 1 h if within the hour, no write otherwise; reads as long as an entry lives), " +
      "and the stricter one the target is held to, per breakpoint (each marked for the gap until its own prefix is next sent: a tool round's within seconds, the history's at the next turn). " +
      "\"Today\" is this bench on the code before this work (commit b9d8bbf): every breakpoint 5-minute, the asker's name in the assistant's system prompt, no breakpoint in tool rounds, " +
      "the latest room messages sent again each turn, history dropped oldest-first and never summarized; its input cost after gaps of 5 min or more was 30 – 60 % of the day's. " +
      "(Issue #22's own figures — $0.0125, $0.0235 and $0.0087 per message — came from a day whose answers, room talk and tool use are not in the repository; this day's differ, and so do its dollars.) " +
      "A summary makes the rewrites after breaks smaller, and ours and the oracle cheaper alike, so it raises ours ÷ oracle while the day costs less.",
    "",
    "Where a message's input cost goes, ours, in input-equivalent tokens per answered message: each request's blocks priced by where they fall among what it read, wrote for an hour or 5 minutes and sent uncached.",
    "",
    table(
      [
        "bot",
        "seed",
        "tool definitions",
        "system prompt",
        "history (summary, past turns)",
        "the message (question, room context, time)",
        "tool rounds (calls, results)",
        "summarizing (its requests' input)",
        "output's share of $ / message",
      ],
      days.map((d) => [
        d.bot,
        d.seed,
        ...PARTS.map((part) => Math.round(d.parts[part])),
        `${(100 * d.outputShare).toFixed(0)} %`,
      ]),
    ),
    ...shortfalls(days),
  ];
}

/** For each day whose cut falls short of 30 %: what 30 % would take, against what the oracle and its tools cost. */
function shortfalls(days: DayFigures[]): string[] {
  const short = days.filter((d) => TODAY[d.bot][d.seed] && d.dollars > 0.7 * TODAY[d.bot][d.seed]!.dollars);
  if (short.length === 0) return [];
  const sentences = short.map((d) => {
    const target = 0.7 * TODAY[d.bot][d.seed]!.dollars;
    const output = d.dollars - d.inputTokens * SONNET.input;
    const atOracle = (d.oracle / d.ours) * d.inputTokens * SONNET.input + output;
    return (
      `${d.bot} on seed ${d.seed} is ${(100 * (1 - d.dollars / TODAY[d.bot][d.seed]!.dollars)).toFixed(0)} % below today: 30 % is ${usd(target)} a message, ` +
      `${Math.round((d.dollars - target) / SONNET.input)} input-equivalent tokens fewer than it pays, and even priced by the oracle it would cost ${usd(atOracle)}; ` +
      `its tool definitions (${d.toolTokens} tokens in every request) cost it ${Math.round(d.parts.tools)} of them a message and its tool rounds, whose results are read once and so are not worth caching, ${Math.round(d.parts.rounds)}`
    );
  });
  return [
    "",
    `Short of the 30 % cut: ${sentences.join("; ")}. That is what the bot is sent, not how it is cached, and today's bots were offered fewer tools.`,
  ];
}

const HEADING = "## A room's day: prompt caching against the oracle";

/** The room day's section of BENCHMARKS.md. */
export function roomDaySection(days: DayFigures[]): string[] {
  return [HEADING, "", ...renderRoomDay(days)];
}

/** Runs the room day alone, prints it, and puts its section into BENCHMARKS.md in place of the last run's. */
export async function writeRoomDay(): Promise<void> {
  const started = Date.now();
  const section = roomDaySection((await roomDays()).map(figures)).join("\n");
  console.log(section);
  const path = join(ROOT, "BENCHMARKS.md");
  const text = readFileSync(path, "utf8");
  const start = text.indexOf(HEADING);
  const end = start === -1 ? -1 : text.indexOf("\n## ", start + HEADING.length);
  const before = start === -1 ? text.indexOf("## Memory and storage") : start;
  if (before === -1)
    throw new Error(
      `BENCHMARKS.md has neither "${HEADING}" nor "## Memory and storage": run the whole bench (npm run bench) to write it`,
    );
  writeFileSync(
    path,
    `${text.slice(0, before)}${section}\n\n${end === -1 ? (start === -1 ? text.slice(before) : "") : text.slice(end + 1)}`,
  );
  console.log(`\n(room day: ${((Date.now() - started) / 1000).toFixed(1)} s; its section of BENCHMARKS.md replaced)`);
}

if (import.meta.main) await writeRoomDay();
