/**
 * Billable work per answered message, for a steady conversation and for a new one (its first message, through
 * its eviction): what the bench's meter (bench/bare/meter.ts) counted, what the bot's own `billing` log fields
 * say (n/a until the bot logs them), subrequests as the fakes saw them, and the Claude tokens of the same turns.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Fakes, getJson, payload, post, sleep, waitForRooms } from "./client.ts";
import type { Usage } from "./prices.ts";
import { type Bundle, build, type LogLine, ROOT, readConfig, type Workerd } from "./workerd.ts";
import type { Tally } from "./bare/tally.ts";

/** The bot with every Durable Object class the config binds wrapped in the bench's meter. */
export async function buildMetered(config: string, outdir: string): Promise<Bundle> {
  const classes = readConfig(config).durable_objects.bindings.map((binding) => binding.class_name);
  const entry = join(outdir, "metered.ts");
  const lines = [
    `import * as bot from "${join(ROOT, "src/index")}";`,
    `import { meterObject, meterWorker } from "${join(ROOT, "bench/bare/meter")}";`,
    "export default meterWorker(bot.default);",
    ...classes.map((name) => `export const ${name} = meterObject(bot.${name});`),
  ];
  writeFileSync(entry, `${lines.join("\n")}\n`);
  return build(config, join(outdir, "out"), entry);
}

/** The bot's own counters, from the `billing` field of its log lines (the lead's contract). */
export interface Logged {
  doRequests: number;
  rowsRead: number;
  rowsWritten: number;
  subrequests: number;
  answered: number;
}

export interface Work {
  answered: number;
  meter: Tally;
  logged: Logged | null;
  subrequests: { anthropic: number; campfire: number };
  /** CPU the whole workerd process used (Worker, objects and runtime): an upper bound on billed CPU. */
  cpuMs: number;
  usage: Usage[];
  /** Model time of each answer, from the bot's `reply.posted` lines. */
  claudeMs: number[];
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
    .replace(/^.*\) /s, "")
    .split(" ");
  return ((Number(fields[11]) + Number(fields[12])) / 100) * 1000; // utime + stime, in ticks of 10 ms
}

function logged(lines: LogLine[]): Logged | null {
  const billed = lines.filter((line) => typeof line.billing === "object" && line.billing !== null);
  if (billed.length === 0) return null;
  const total: Logged = { doRequests: 0, rowsRead: 0, rowsWritten: 0, subrequests: 0, answered: 0 };
  for (const line of billed) {
    const billing = line.billing as Record<string, number>;
    total.doRequests += billing.do_requests ?? 0;
    total.rowsRead += billing.rows_read ?? 0;
    total.rowsWritten += billing.rows_written ?? 0;
    total.subrequests += billing.subrequests ?? 0;
  }
  total.answered = lines
    .filter((line) => line.event === "reply.posted")
    .reduce((sum, line) => sum + Number(line.messages ?? 0), 0);
  return total;
}

/** Everything billable that happens while `run` runs, with `answered` messages answered in it. */
async function measure(bot: Workerd, fakes: Fakes, answered: number, run: () => Promise<void>): Promise<Work> {
  await getJson<Tally>(`${bot.url}/__meter`); // starts a fresh tally
  const logsBefore = bot.logs.length;
  const before = {
    usage: (await getJson<Usage[]>(`${fakes.anthropic}/_fake/usage`)).length,
    anthropic: (await getJson<unknown[]>(`${fakes.anthropic}/_fake/requests`)).length,
    campfire: (await getJson<unknown[]>(`${fakes.campfire}/_fake/calls`)).length,
    cpu: cpuMs(bot.pid),
  };
  await run();
  const lines = bot.logs.slice(logsBefore);
  return {
    answered,
    meter: await getJson<Tally>(`${bot.url}/__meter`),
    logged: logged(lines),
    subrequests: {
      anthropic: (await getJson<unknown[]>(`${fakes.anthropic}/_fake/requests`)).length - before.anthropic,
      campfire: (await getJson<unknown[]>(`${fakes.campfire}/_fake/calls`)).length - before.campfire,
    },
    cpuMs: cpuMs(bot.pid) - before.cpu,
    usage: (await getJson<Usage[]>(`${fakes.anthropic}/_fake/usage`)).slice(before.usage),
    claudeMs: lines.filter((line) => line.event === "reply.posted").map((line) => Number(line.claude_ms ?? 0)),
  };
}

async function waitForLog(
  bot: Workerd,
  matches: (line: LogLine) => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!bot.logs.some(matches)) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/**
 * A new conversation — one message in a fresh room, answered, then evicted at its TTL — and a steady one:
 * `turns` messages in one room, each answered before the next (the first, its start, is not counted).
 */
export async function billableWork(
  bot: Workerd,
  fakes: Fakes,
  turns: number,
  ttlMs: number,
): Promise<{ fresh: Work; steady: Work }> {
  const freshRoom = 500_000;
  const fresh = await measure(bot, fakes, 1, async () => {
    await post(`${bot.url}/webhook/assistant`, payload(freshRoom, "a new conversation: tell me something"));
    await waitForRooms(fakes.campfire, [freshRoom], 30_000);
    await waitForLog(
      bot,
      (line) => line.event === "conversation.evicted" && line.room === freshRoom,
      ttlMs + 30_000,
      `eviction of room ${freshRoom}`,
    );
    await sleep(500); // the eviction's report to the registry follows its log line
  });
  return { fresh, steady: await steadyWork(bot, fakes, turns) };
}

/** `turns` messages in one room, each answered before the next; the first, the conversation's start, is not counted. */
export async function steadyWork(bot: Workerd, fakes: Fakes, turns: number): Promise<Work> {
  const steadyRoom = 500_001;
  await post(`${bot.url}/webhook/assistant`, payload(steadyRoom, "turn 1: tell me something"));
  await waitForRooms(fakes.campfire, [steadyRoom], 30_000);
  return measure(bot, fakes, turns - 1, async () => {
    for (let turn = 2; turn <= turns; turn++) {
      await post(`${bot.url}/webhook/assistant`, payload(steadyRoom, `turn ${turn}: tell me something new`));
      await waitForRooms(fakes.campfire, [steadyRoom], 30_000, turn);
    }
  });
}

/**
 * `config`'s BOTS with the assistant held to all four budgets, as a BOTS var (JSON): the same bot and bundle as the
 * baseline row, plus a budget whose limits no turn comes near, so every turn reserves and settles on four counters.
 */
export function withBudget(config: string): string {
  const bots = readConfig(config).vars.BOTS as Record<string, Record<string, unknown>>;
  const budget = { daily_usd: 1_000, monthly_usd: 10_000, per_person_daily_usd: 100, per_room_daily_usd: 500 };
  return JSON.stringify({ ...bots, assistant: { ...bots.assistant, budget } });
}
