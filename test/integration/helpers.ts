import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { vi } from "vitest";
import { ADMIN_TOKEN as ADMIN_TOKEN_VALUE, TEST_KEYS } from "../bots";
import type { Failure } from "../fakes/campfire";

export { ADMIN_TOKEN, TEST_KEYS } from "../bots";
export const BOT_KEY = TEST_KEYS.assistant;

let counter = 0;
/** Each test talks in rooms of its own: the fakes are shared by every test file. */
export function newRoomId(): number {
  return 100_000 + Math.floor(Math.random() * 800_000_000) + counter++;
}
export function newMessageId(): number {
  return 1 + Math.floor(Math.random() * 1_000_000_000) + counter++;
}

export interface WebhookOptions {
  roomId: number;
  text: string;
  messageId?: number;
  userId?: number;
  userName?: string;
  roomName?: string;
  /** A direct-message room, which Campfire sends with no name (`"name": null`). */
  direct?: boolean;
  key?: string;
}

/** The exact payload Campfire sends for a mention, or for any message in a direct room (see shared/campfire-bot-api.md). */
export function campfirePayload(options: WebhookOptions) {
  // The key in room.path is the bot's own unless a test passes another.
  const messageId = options.messageId ?? newMessageId();
  return {
    user: { id: options.userId ?? 7, name: options.userName ?? "Ada Lovelace" },
    room: {
      id: options.roomId,
      name: options.direct ? null : (options.roomName ?? "Watercooler"),
      path: `/rooms/${options.roomId}/${options.key ?? BOT_KEY}/messages`,
    },
    message: {
      id: messageId,
      body: {
        html: `<div><action-text-attachment></action-text-attachment> ${options.text}</div>`,
        plain: options.text,
      },
      path: `/rooms/${options.roomId}/@${messageId}`,
    },
  };
}

export function postWebhook(
  body: unknown,
  init: { botId?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return exports.default.fetch(
    new Request(`https://bot.example/webhook/${init.botId ?? "assistant"}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...init.headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

export function conversation(roomId: number, botId = "assistant") {
  return env.CONVERSATIONS.getByName(`${roomId}:${botId}`);
}

export interface PostedMessage {
  id: number;
  roomId: number;
  /** When the fake Campfire received it, in epoch milliseconds. */
  at: number;
  body: string;
  contentType: string;
  edits: string[];
}

export const fakeCampfire = {
  /** The bot's messages in a room. */
  async messages(roomId: number): Promise<PostedMessage[]> {
    const response = await fetch(`${env.CAMPFIRE_URL}/_fake/messages?room=${roomId}`);
    return ((await response.json()) as (PostedMessage & { creator: { role: string } })[]).filter(
      (m) => m.creator.role === "bot",
    );
  },
  /** Makes one room behave like an older Campfire, without the read and edit API. */
  async legacy(roomId: number): Promise<void> {
    await fetch(`${env.CAMPFIRE_URL}/_fake/legacy`, {
      method: "POST",
      body: JSON.stringify({ on: true, room: roomId }),
    });
  },
  /**
   * A person's message in the room (one Campfire would not send the bot, or one it did); resolves with its id.
   * `at` (epoch ms) back-dates it: written then, it pages among the room's messages by that time.
   */
  async say(roomId: number, name: string, body: string, at?: number): Promise<number> {
    const response = await fetch(`${env.CAMPFIRE_URL}/_fake/say`, {
      method: "POST",
      body: JSON.stringify({ roomId, user: { id: 50, name }, body, at }),
    });
    return ((await response.json()) as { id: number }).id;
  },
  async calls(roomId: number): Promise<{ method: string; status: number }[]> {
    const all = (await (await fetch(`${env.CAMPFIRE_URL}/_fake/calls`)).json()) as {
      method: string;
      roomId: number;
      status: number;
    }[];
    return all.filter((call) => call.roomId === roomId);
  },
  async fail(failure: Failure): Promise<void> {
    await fetch(`${env.CAMPFIRE_URL}/_fake/fail`, { method: "POST", body: JSON.stringify(failure) });
  },
  /** Waits until the room has `count` bot messages, and returns them. */
  async waitForMessages(roomId: number, count: number, timeout = 10_000): Promise<PostedMessage[]> {
    return vi.waitFor(
      async () => {
        const messages = await fakeCampfire.messages(roomId);
        if (messages.length < count) throw new Error(`room ${roomId} has ${messages.length} of ${count} messages`);
        return messages;
      },
      { timeout, interval: 25 },
    );
  },
};

export interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  usage?: { input_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number };
  body: {
    model: string;
    system?: string | { text: string; cache_control?: unknown }[];
    messages: { role: string; content: string | { type: string; text?: string }[] }[];
    stream?: boolean;
  };
}

export const fakeAnthropic = {
  /** The model requests whose text mentions `marker` (each test marks its messages with a unique word). */
  async requestsMentioning(marker: string): Promise<RecordedRequest[]> {
    const response = await fetch(`${env.ANTHROPIC_BASE_URL}/_fake/requests`);
    const all = (await response.json()) as RecordedRequest[];
    return all.filter((request) => JSON.stringify(request.body).includes(marker));
  },
};

/** Messages still waiting and answers not yet posted, read straight from the object's SQLite. */
export function pendingWork(roomId: number, botId = "assistant"): Promise<number> {
  return runInDurableObject(conversation(roomId, botId), (_, state) => {
    const tables = state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name IN ('inbox', 'conversation')")
      .toArray();
    if (tables.length < 2) return 0;
    return state.storage.sql
      .exec<{ n: number }>(
        "SELECT (SELECT count(*) FROM inbox) + (SELECT count(*) FROM conversation WHERE out_kind IS NOT NULL) AS n",
      )
      .one().n;
  });
}

/**
 * Runs the object's alarm, as the runtime would at its deadline, until no work is pending: this fast-forwards
 * through retry back-off by moving a scheduled retry to now, as if its time had come. Never runs the eviction alarm.
 */
export async function runUntilIdle(roomId: number, maxRuns = 20, botId = "assistant"): Promise<number> {
  let runs = 0;
  while ((await pendingWork(roomId, botId)) > 0) {
    if (++runs > maxRuns) throw new Error(`room ${roomId} still has work after ${maxRuns} alarms`);
    await runInDurableObject(conversation(roomId, botId), (_, state) =>
      state.storage.sql.exec("UPDATE conversation SET retry_at = ? WHERE retry_at > ?", Date.now(), Date.now()),
    );
    await runDurableObjectAlarm(conversation(roomId, botId));
  }
  return runs;
}

/** The tables the conversation keeps, minus the runtime's own. */
export function userTables(roomId: number, botId = "assistant"): Promise<string[]> {
  return runInDurableObject(conversation(roomId, botId), (_, state) =>
    state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'",
      )
      .toArray()
      .map((row) => row.name),
  );
}

/** The text of a message in a model request; for the turn's own message, the people's words without the context. */
export function userText(request: RecordedRequest, index = -1): string {
  const message = request.body.messages.at(index)!;
  return typeof message.content === "string" ? message.content : (message.content[0]?.text ?? "");
}

/** Who said what in a user turn: the bot frames each message as a JSON line `{"from", "text"}`. */
export function speakers(request: RecordedRequest, index = -1): { from: string; text: string }[] {
  return userText(request, index)
    .split("\n")
    .map((line) => JSON.parse(line) as { from: string; text: string });
}

/** The conversation's stored transcript, as Claude sees it. */
export function storedTranscript(roomId: number, botId = "assistant"): Promise<{ role: string; content: string }[]> {
  return runInDurableObject(conversation(roomId, botId), (_, state) =>
    JSON.parse(state.storage.sql.exec<{ t: string }>("SELECT transcript AS t FROM conversation").one().t),
  );
}

/** Everything the turn's own message carried after the people's words: room context and the time. */
export function turnExtras(request: RecordedRequest): string {
  const message = request.body.messages.at(-1)!;
  return typeof message.content === "string"
    ? ""
    : message.content
        .slice(1)
        .map((block) => block.text ?? "")
        .join("\n");
}

/** When the object's one alarm is set to fire, or null when none is set. */
export function alarmAt(roomId: number, botId = "assistant"): Promise<number | null> {
  return runInDurableObject(conversation(roomId, botId), (_, state) => state.storage.getAlarm());
}

/** GETs an operator endpoint with the admin token. */
export async function adminGet<T>(path: string): Promise<T> {
  const response = await exports.default.fetch(`https://bot.example${path}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN_VALUE}` },
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()) as T;
}

export interface SessionsMetrics {
  bots: Record<
    string,
    {
      alive: number;
      oldestActivity: string | null;
      newestActivity: string | null;
      turns: number;
      waiting: number;
      retrying: number;
      evictions: number;
    }
  >;
}

/** Posts into a room as the assistant bot, straight to the fake Campfire; returns the new message's id. */
export async function postAsBot(roomId: number, html: string): Promise<number> {
  const response = await fetch(`${env.CAMPFIRE_URL}/rooms/${roomId}/${BOT_KEY}/messages`, {
    method: "POST",
    body: html,
  });
  return Number(response.headers.get("location")!.split("/").pop());
}
