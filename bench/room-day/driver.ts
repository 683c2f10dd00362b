/**
 * The bot's side of the room day, bundled by esbuild and run in Node: each turn is built and asked by the bot's own
 * code — the shipped configuration read by `loadConfig`, `turnRequest` (system prompt, history, cache
 * breakpoints, tools), room context read from a (fake) Campfire by `roomContext`, the history's summary made by
 * `foldHistory` when `turnsToFold` says so, `runModelLoop` with the real tool code, and the Claude adapter with the
 * SDK over HTTP — on the bench's virtual clock, with the cache ttls chosen by `cachePlan` from the rhythm the turn
 * stores. Stand-ins: the conversation's SQLite row is this object (its summary and transcript kept as
 * `keepHistory` and `settle` do; its rhythm as `keepAnswer` stores it), a library's search is a
 * fixed set of passages, a person's memory is the memory commands over an in-memory file store, reminders a list.
 * Not exercised here: the Durable Object, its alarm and storage, streaming into the room, retries.
 */
import { CampfireClient } from "../../src/campfire/client";
import { Room } from "../../src/campfire/room";
import { type BotConfig, loadConfig } from "../../src/config";
import {
  afterTurn,
  cachePlan,
  cacheToolRound,
  historyWarm,
  type Rhythm,
  readRhythm,
  storedRhythm,
} from "../../src/conversation/cache-ttl";
import { foldHistory, turnsToFold } from "../../src/conversation/compaction";
import type { Model } from "../../src/conversation/model";
import { runModelLoop } from "../../src/conversation/model-loop";
import { historyMessages } from "../../src/conversation/prompt";
import { roomContext } from "../../src/conversation/room-context";
import type { ConversationStore } from "../../src/conversation/store";
import type { TurnToolContext } from "../../src/conversation/toolbox";
import {
  appendExchange,
  contextShownUpto,
  type History,
  summaryTokens,
  withinBudget,
} from "../../src/conversation/transcript";
import { turnRequest } from "../../src/conversation/turn-request";
import { kept } from "../../src/keep";
import type { Passage } from "../../src/knowledge/library";
import { parseMemoryCommand } from "../../src/memory/command-schema";
import { runCommand } from "../../src/memory/commands";
import type { FileStore, StoredFile } from "../../src/memory/file-store";
import type { MemoryApi } from "../../src/memory/tool";
import { ClaudeClient } from "../../src/objects/claude";
import type { ReminderBook, ReminderEntry } from "../../src/tools/tool";

export interface Person {
  id: number;
  name: string;
}

export interface DaySetup {
  /** wrangler.toml's `[vars]`, as wrangler reads them. */
  vars: Record<string, unknown>;
  botId: string;
  anthropicUrl: string;
  campfireUrl: string;
  roomId: number;
  roomName: string;
  /** Sets the fake Anthropic's clock (and so the turn's): epoch milliseconds. */
  setClock(at: number): void;
  /** How long one model call takes on the virtual clock. */
  modelMs: number;
}

/**
 * What one request was made of, in the prompt cache's order: how many blocks of tools, system prompt, history
 * (summary and past turns), this turn's message (question, room context, time) and tool rounds; a summary's request
 * is all `summary`.
 */
export type RequestParts = { summary: number } | Record<"tools" | "system" | "history" | "turn" | "rounds", number>;

/** What one turn sent: how many model calls, the tools it offered, and each request's parts. */
export interface TurnRecord {
  calls: number;
  toolDefinitions: unknown[];
  parts: RequestParts[];
}

const blocksIn = (messages: { content: unknown }[]) =>
  messages.reduce((sum, message) => sum + (Array.isArray(message.content) ? message.content.length : 1), 0);

/** The bot's key in the fake Campfire: its user id, then 12 characters. */
const BOT_KEY = "99-RoomDayBench";

/** One conversation of one bot in one room, turn after turn on the virtual clock. */
export class DayConversation {
  readonly bot: BotConfig;
  private readonly consultable: BotConfig[];
  private readonly room: Room;
  private readonly model: Required<Pick<Model, "ask" | "compact">>;
  private history: History = { summary: null, turns: [] };
  private rhythm: Rhythm = readRhythm(null);
  /** The Campfire ids of the messages sent to the bot: the conversation's `seen` table. */
  private readonly seen = new Set<string>();
  private readonly reminders = reminderBook();
  private readonly memories = new Map<number, FileStore>();
  private clock = 0;
  /** This turn's requests' parts, and where its own message is among their messages. */
  private parts: RequestParts[] = [];
  private turnAt: number | undefined;

  constructor(private readonly setup: DaySetup) {
    const config = loadConfig({
      ...setup.vars,
      CAMPFIRE_URL: setup.campfireUrl,
      ANTHROPIC_API_KEY: "sk-ant-room-day",
      SESSION_TTL: "24h",
    } as never);
    const bot = config.bots.get(setup.botId);
    if (!bot)
      throw new Error(
        `bot "${setup.botId}" is not in the configuration; its problems: ${config.problems.join("; ") || "none"}`,
      );
    this.bot = bot;
    this.consultable = bot.consult.map((id) => config.bots.get(id)!);
    // Links point at a fixed address, so a run's prompts do not depend on the fake's port.
    this.room = new Room(
      new CampfireClient(setup.campfireUrl),
      setup.roomId,
      BOT_KEY,
      new Set(),
      () => {},
      "https://campfire.example.com",
    );
    const claude = new ClaudeClient({ apiKey: "sk-ant-room-day", baseUrl: setup.anthropicUrl });
    this.model = {
      ask: async (request, options) => {
        // The turn's own message is the last of its first request; tool rounds come after it.
        this.turnAt ??= request.messages.length - 1;
        this.parts.push({
          tools: request.tools?.length ?? 0,
          system: request.system.length,
          history: blocksIn(request.messages.slice(0, this.turnAt)),
          turn: blocksIn(request.messages.slice(this.turnAt, this.turnAt + 1)),
          rounds: blocksIn(request.messages.slice(this.turnAt + 1)),
        });
        setup.setClock(this.clock);
        const answer = await claude.ask(request, options);
        this.clock += setup.modelMs;
        return answer;
      },
      compact: async (request, options) => {
        this.parts.push({ summary: (request.tools?.length ?? 0) + request.system.length + blocksIn(request.messages) });
        setup.setClock(this.clock);
        const answer = await claude.compact(request, options);
        this.clock += setup.modelMs;
        return answer;
      },
    };
  }

  /** Answers one message sent at `at` (already in the room as Campfire message `messageId`), and posts the answer. */
  async turn(at: number, from: Person, text: string, messageId: number): Promise<TurnRecord> {
    this.clock = at;
    this.parts = [];
    this.turnAt = undefined;
    this.seen.add(String(messageId));
    const stored = this.history;
    const fold = turnsToFold({
      turns: stored.turns,
      summaryTokens: summaryTokens(stored.summary),
      budget: this.bot.historyBudgetTokens,
      cold: !historyWarm(this.rhythm, at),
    });
    let history = fold > 0 ? stored : withinBudget(stored, this.bot.historyBudgetTokens);
    const store = {
      seenAmong: (ids: number[]) => new Set(ids.map(String).filter((id) => this.seen.has(id))),
    } as unknown as ConversationStore;
    const context = await roomContext(
      this.room,
      store,
      this.bot.id,
      this.setup.roomName,
      this.bot.roomContextMessages,
      contextShownUpto(stored.turns, stored.summary?.upto ?? null),
      this.bot.timeZone,
    );
    const now = new Date(at);
    const memory = this.bot.memoryTtlMs !== null ? this.memoryOf(from) : undefined;
    const pending = [{ userName: from.name, text }];
    const nextReminderAt = this.reminders
      .all()
      .reduce<number | null>((next, r) => (next === null || r.dueAt < next ? r.dueAt : next), null);
    const historyTrimmed = fold > 0 || history !== stored;
    const cache = cachePlan({
      rhythm: this.rhythm,
      now: at,
      ttlMs: this.bot.sessionTtlMs,
      nextReminderAt,
      historyTrimmed,
    });
    const request = turnRequest({
      bot: this.bot,
      roomName: this.setup.roomName,
      history,
      pending,
      context,
      now,
      asker: from,
      memory: memory !== undefined,
      consultable: this.consultable,
      cache,
    });
    const toolContext: TurnToolContext = {
      botId: this.bot.id,
      room: this.room,
      reminders: this.reminders,
      asker: from,
      timeZone: this.bot.timeZone,
      now,
      knowledge: this.knowledge(),
      memory,
    };
    let calls = 0;
    if (fold > 0) {
      calls++;
      const folded = await foldHistory({
        compact: this.model.compact,
        bot: this.bot,
        roomId: this.setup.roomId,
        system: request.system,
        tools: request.tools,
        history,
        fold,
      });
      history = folded.history ?? withinBudget(history, this.bot.historyBudgetTokens);
      request.messages.splice(0, request.messages.length - 1, ...historyMessages(history, cache.history));
    }
    const answer = await runModelLoop({
      model: this.model,
      bot: this.bot,
      system: request.system,
      messages: request.messages,
      tools: request.tools,
      toolbox: request.custom,
      toolContext,
      onAsk: () => calls++,
      onText: () => {},
      signal: new AbortController().signal,
      cacheRound: (done) => cacheToolRound(this.rhythm.rounds, done),
    });
    const record = {
      startedAt: at,
      endedAt: this.clock,
      cached: answer.usage.cacheRead + answer.usage.cacheWrite > 0,
      plan: cache,
      historyTrimmed,
      toolRounds: answer.calls - 1,
    };
    this.rhythm = readRhythm(storedRhythm(afterTurn(this.rhythm, record)));
    await this.room.post(`<p>${answer.text.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`);
    this.history = {
      summary: history.summary,
      turns: appendExchange(history.turns, request.prompt, answer.text, context),
    };
    return { calls, toolDefinitions: request.tools, parts: this.parts };
  }

  private knowledge(): TurnToolContext["knowledge"] {
    if (this.bot.knowledge.read.length === 0) return undefined;
    const library = {
      search: async (_query: string, limit: number): Promise<Passage[]> => HANDBOOK.slice(0, limit),
      read: async () => null,
      list: async () => [],
      put: async () => ({ ok: false as const, refusal: { reason: "read-only in the bench" } }),
    };
    return { readable: this.bot.knowledge.read, writable: [], library: () => library as never };
  }

  private memoryOf(person: Person): MemoryApi {
    const store = kept(this.memories, person.id, fileStore);
    return {
      command: async (input) => {
        const parsed = parseMemoryCommand(input);
        return "error" in parsed
          ? { content: parsed.error, isError: true }
          : runCommand(store, parsed.command, this.clock);
      },
    };
  }
}

/** What the fixed library search finds: four passages of a handbook, about 110 tokens each. */
const HANDBOOK: Passage[] = [
  [
    "expense-policy",
    "Expense policy",
    "Travel",
    "Book travel through the company portal at least two weeks ahead. Economy class for flights under six hours; business class needs a director's approval. Keep every receipt and file the claim within thirty days of the trip.",
  ],
  [
    "expense-policy",
    "Expense policy",
    "Meals",
    "Meals while travelling are covered up to the daily allowance of the destination city, listed on the finance wiki. Alcohol is not reimbursed. Team dinners need the approval of the budget owner before the dinner, not after it.",
  ],
  [
    "onboarding",
    "Onboarding guide",
    "First week",
    "A new colleague gets a buddy for the first month, a laptop on the first morning and accounts for chat, mail and the code host before noon. The first week ends with a short talk with the team lead about goals.",
  ],
  [
    "security",
    "Security handbook",
    "Passwords",
    "Use the password manager for every work account, turn on two-factor authentication everywhere it is offered, and never share a password in chat. A lost laptop is reported to the security team within the hour.",
  ],
].map(([docId, title, heading, snippet], i) => ({
  docId: docId!,
  title: title!,
  heading: heading!,
  snippet: snippet!,
  score: i,
}));

function reminderBook(): ReminderBook {
  const entries: ReminderEntry[] = [];
  let next = 1;
  return {
    add: (dueAt, text, forUser) => {
      entries.push({ id: next, dueAt, text, forUser: forUser.name, forUserId: forUser.id });
      return next++;
    },
    all: () => [...entries],
    cancel: (id) => {
      const index = entries.findIndex((entry) => entry.id === id);
      if (index >= 0) entries.splice(index, 1);
      return index >= 0;
    },
  };
}

/** A person's memory files in memory: what the Memory object keeps in SQLite. */
function fileStore(): FileStore {
  const files = new Map<string, StoredFile>();
  return {
    get: (path) => files.get(path) ?? null,
    put: (path, content, now) => void files.set(path, { path, content, updatedAt: now }),
    delete: (path) => void files.delete(path),
    listUnder: (dir) =>
      [...files.values()]
        .filter((file) => file.path.startsWith(`${dir.replace(/\/$/, "")}/`))
        .sort((a, b) => a.path.localeCompare(b.path)),
    rename: (from, to, now) => {
      const file = files.get(from)!;
      files.delete(from);
      files.set(to, { path: to, content: file.content, updatedAt: now });
    },
  };
}
