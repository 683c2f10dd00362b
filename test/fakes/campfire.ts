import type { IncomingMessage, ServerResponse } from "node:http";
import { handleBotApi } from "../../src/campfire-emulator/bot-api.ts";
import { MemoryCampfireStore, type MemoryMessage } from "../../src/campfire-emulator/memory-store.ts";
import type { CampfireUser } from "../../src/campfire-emulator/store.ts";
import { json, listen, sleep } from "./http.ts";

/** A message in the fake Campfire, as tests see it. */
export interface CampfireMessage {
  id: number;
  roomId: number;
  body: string;
  /** How it was posted: the request's Content-Type, or the file's type for a file message. */
  contentType: string;
  creator: { id: number; name: string; role: CampfireUser["role"] };
  createdAt: string;
  /** When it was posted, in epoch milliseconds. */
  at: number;
  /** Earlier bodies, oldest first, when the bot edited the message. */
  edits: string[];
  /** The uploaded file of a file message (whose body is empty: a file message has no text; its plain text is the file's name). */
  attachment?: Attachment;
}

/** What Campfire keeps of an uploaded file; the name as Active Storage keeps it (trimmed, unsafe characters turned into "-"). */
export interface Attachment {
  name: string;
  type: string;
  size: number;
}

/** A boost (reaction) a bot put on a message. */
export interface Boost {
  id: number;
  roomId: number;
  messageId: number;
  content: string;
  booster: { id: number; name: string };
  createdAt: string;
}

export interface Failure {
  status: number;
  times: number;
  retryAfter?: number;
  /** Only calls to this room, or with this method, fail; others pass untouched. */
  room?: number;
  method?: string;
  /** Instead of failing, answer normally but only after this long: a Campfire that hangs. */
  hangMs?: number;
  /** Only calls whose path ends so fail, e.g. "/messages" for posts but not boosts. */
  endsWith?: string;
  /** The first this many matching calls pass; the ones after fail. */
  after?: number;
  /** Campfire takes the call (the message is stored) but the bot hears the failure: a run that died after the 201. */
  accepted?: boolean;
}

export interface Delivery {
  status: number | null;
  contentType: string | null;
  ms: number;
  outcome: "message" | "attachment" | "timeout" | "nothing";
}

/** One bot-API call as the fake saw it, to check what the bot tried and how often. */
export interface Call {
  method: string;
  roomId: number;
  path: string;
  status: number;
  /** When the request arrived (ms since the epoch). */
  at: number;
}

export interface FakeCampfire {
  url: string;
  calls: Call[];
  messages(roomId?: number): CampfireMessage[];
  /** Boosts bots put on messages, everywhere or in one room. */
  boosts(roomId?: number): Boost[];
  /** Resolves once the room has at least `count` bot messages. */
  waitForMessages(roomId: number, count: number, timeoutMs?: number): Promise<CampfireMessage[]>;
  failNext(failure: Failure): void;
  /** An older Campfire (no read or edit API), everywhere or in one room. */
  setLegacy(on: boolean, roomId?: number): void;
  /** A person's message; `at` (epoch ms) says it was written earlier, and Campfire pages by when messages were written. */
  say(roomId: number, user: { id: number; name: string }, body: string, at?: number): CampfireMessage;
  /** POSTs a webhook like Campfire does and applies its rules to the answer, 7-second limit included. */
  deliver(webhookUrl: string, payload: unknown, options?: { timeoutMs?: number }): Promise<Delivery>;
  reset(): void;
  close(): Promise<void>;
}

const BOT_KEY_SHAPE = /^\d+-[A-Za-z0-9]{12}$/;

/** The exact payload Campfire POSTs to a bot's webhook for a mention, or for any message in a direct room (no name). */
export function campfirePayload(options: {
  roomId: number;
  roomName?: string;
  direct?: boolean;
  botKey: string;
  userId?: number;
  userName?: string;
  messageId: number;
  plain: string;
}) {
  return {
    user: { id: options.userId ?? 7, name: options.userName ?? "Ada Lovelace" },
    room: {
      id: options.roomId,
      name: options.direct ? null : (options.roomName ?? "Watercooler"),
      path: `/rooms/${options.roomId}/${options.botKey}/messages`,
    },
    message: {
      id: options.messageId,
      body: {
        html: `<div><action-text-attachment content-type="application/vnd.campfire.mention"></action-text-attachment> ${options.plain}</div>`,
        plain: options.plain,
      },
      path: `/rooms/${options.roomId}/@${options.messageId}`,
    },
  };
}

/**
 * A fake Campfire on loopback: the Campfire emulator's bot API (`src/campfire-emulator`, which the playground
 * serves too) over an in-memory store, plus what only tests need: scripted failures, an older Campfire with no
 * API but posting, a record of every bot-API call, people's messages, and a webhook sender that treats the bot's
 * answer exactly as Campfire does.
 */
export async function startFakeCampfire(
  options: { port?: number; botKeys?: string[]; legacy?: boolean; now?: () => number } = {},
): Promise<FakeCampfire> {
  const keyAllowed = (key: string) => (options.botKeys ? options.botKeys.includes(key) : BOT_KEY_SHAPE.test(key));
  // A bot's user id is the first part of its key, as in Campfire.
  const store = new MemoryCampfireStore({
    now: options.now,
    authenticateBot: (key) => (keyAllowed(key) ? { id: Number(key.split("-")[0]), name: "Bot", role: "bot" } : null),
  });
  let failures: Failure[] = [];
  let legacy = options.legacy ?? false;
  const legacyRooms = new Set<number>();
  const calls: Call[] = [];
  // How each text message was posted: Campfire does not keep it, tests check it.
  const postedAs = new Map<number, string>();
  // Who posts what a webhook answered: the bot, whichever it was.
  const replier: CampfireUser = { id: 0, name: "Bot", role: "bot" };

  const view = (message: MemoryMessage): CampfireMessage => ({
    id: message.id,
    roomId: message.roomId,
    body: message.html,
    contentType: message.attachment?.contentType ?? postedAs.get(message.id) ?? "",
    creator: { ...message.creator },
    createdAt: new Date(message.createdAt).toISOString(),
    at: message.createdAt,
    edits: [...message.edits],
    ...(message.attachment && {
      attachment: {
        name: message.attachment.filename,
        type: message.attachment.contentType,
        size: message.attachment.byteSize,
      },
    }),
  });
  const messages = (roomId?: number) => store.allMessages(roomId).map(view);
  const botMessages = (roomId: number) => messages(roomId).filter((m) => m.creator.role === "bot");
  const add = (roomId: number, html: string, contentType: string, creator: CampfireUser, at?: number) => {
    const message = store.post(roomId, creator, { html }, at);
    postedAs.set(message.id, contentType);
    return view(message);
  };

  const fake: FakeCampfire = {
    url: "",
    calls,
    messages,
    boosts: (roomId) =>
      store.allBoosts(roomId).map((boost) => ({
        id: boost.id,
        roomId: boost.roomId,
        messageId: boost.messageId,
        content: boost.content,
        booster: { id: boost.booster.id, name: boost.booster.name },
        createdAt: new Date(boost.createdAt).toISOString(),
      })),
    async waitForMessages(roomId, count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (botMessages(roomId).length < count) {
        if (Date.now() > deadline)
          throw new Error(
            `room ${roomId} has ${botMessages(roomId).length} of ${count} bot messages after ${timeoutMs} ms`,
          );
        await sleep(20);
      }
      return botMessages(roomId);
    },
    failNext: (failure) => failures.push({ ...failure }),
    setLegacy(on, roomId) {
      if (roomId === undefined) legacy = on;
      else if (on) legacyRooms.add(roomId);
      else legacyRooms.delete(roomId);
    },
    say: (roomId, user, body, at) => add(roomId, body, "text/html", { ...user, role: "member" }, at),
    async deliver(webhookUrl, payload, { timeoutMs = 7_000 } = {}) {
      const started = Date.now();
      const roomId = (payload as { room: { id: number } }).room.id;
      try {
        const response = await fetch(webhookUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const contentType = response.headers.get("content-type");
        const body = await response.text();
        const ms = Date.now() - started;
        if (response.status === 200 && contentType && /^text\/(plain|html)/.test(contentType)) {
          if (body.trim()) add(roomId, body, contentType, replier);
          return { status: 200, contentType, ms, outcome: "message" };
        }
        if (contentType) {
          add(roomId, "attachment", contentType, replier);
          return { status: response.status, contentType, ms, outcome: "attachment" };
        }
        return { status: response.status, contentType, ms, outcome: "nothing" };
      } catch {
        add(roomId, "Failed to respond within 7 seconds", "text/plain", replier);
        return { status: null, contentType: null, ms: Date.now() - started, outcome: "timeout" };
      }
    },
    reset() {
      store.clear();
      postedAs.clear();
      failures = [];
      calls.length = 0;
      legacyRooms.clear();
      legacy = options.legacy ?? false;
    },
    close: async () => {},
  };

  /** The first scripted failure this call matches, counted down; one with `after` lets that many calls pass first. */
  const takeFailure = (roomId: number, method: string, path: string): Failure | undefined => {
    const matching = failures.find(
      (f) =>
        (f.room === undefined || f.room === roomId) &&
        (f.method === undefined || f.method === method) &&
        (f.endsWith === undefined || path.endsWith(f.endsWith)),
    );
    if (!matching) return undefined;
    if ((matching.after ?? 0) > 0) {
      matching.after!--;
      return undefined;
    }
    if (--matching.times <= 0) failures.splice(failures.indexOf(matching), 1);
    return matching;
  };

  const handle = async (request: IncomingMessage, raw: Buffer, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", fake.url);
    const method = request.method ?? "GET";
    if (url.pathname.startsWith("/_fake/")) return control(url, method, raw, response);
    const contentType = request.headers["content-type"];
    const asRequest = new Request(url, {
      method,
      headers: contentType ? { "content-type": contentType } : {},
      body: method === "GET" || method === "HEAD" ? undefined : new Uint8Array(raw),
    });
    const room = /^\/rooms\/(\d+)\//.exec(url.pathname);
    if (!room) return respond(response, await handleBotApi(asRequest, store, { baseUrl: fake.url }));

    const roomId = Number(room[1]);
    const call: Call = { method, roomId, path: url.pathname, status: 0, at: Date.now() };
    calls.push(call);
    response.on("finish", () => (call.status = response.statusCode));
    const failure = takeFailure(roomId, method, url.pathname);
    if (failure && !failure.accepted) {
      if (failure.hangMs === undefined)
        return text(
          response,
          failure.status,
          "scripted failure",
          failure.retryAfter !== undefined ? { "retry-after": String(failure.retryAfter) } : {},
        );
      await sleep(failure.hangMs);
    }
    const posting = method === "POST" && /\/messages\/?$/.test(url.pathname);
    // An older Campfire has no route but the one to post.
    if ((legacy || legacyRooms.has(roomId)) && !posting) return text(response, 404, "Not Found");
    const answer = await handleBotApi(asRequest, store, { baseUrl: fake.url });
    if (posting && answer.status === 201)
      postedAs.set(Number(answer.headers.get("location")!.split("/").pop()), contentType ?? "");
    // An accepted failure: Campfire took the call, but the bot hears the failure's status.
    return respond(response, answer, failure?.accepted ? failure.status : answer.status);
  };

  const control = (url: URL, method: string, raw: Buffer, response: ServerResponse) => {
    const input = raw.length ? (JSON.parse(raw.toString("utf8")) as Record<string, unknown>) : {};
    const room = url.searchParams.get("room");
    switch (`${method} ${url.pathname}`) {
      case "GET /_fake/messages":
        return json(response, 200, fake.messages(room === null ? undefined : Number(room)));
      case "POST /_fake/fail":
        fake.failNext(input as unknown as Failure);
        return json(response, 200, { ok: true });
      case "POST /_fake/legacy":
        fake.setLegacy(Boolean(input.on), typeof input.room === "number" ? input.room : undefined);
        return json(response, 200, { ok: true });
      case "GET /_fake/boosts":
        return json(response, 200, fake.boosts(room === null ? undefined : Number(room)));
      case "GET /_fake/calls":
        return json(response, 200, calls);
      case "POST /_fake/say": {
        const { roomId, user, body, at } = input as {
          roomId: number;
          user: { id: number; name: string };
          body: string;
          at?: number;
        };
        return json(response, 200, fake.say(roomId, user, body, at));
      }
      case "POST /_fake/reset":
        fake.reset();
        return json(response, 200, { ok: true });
    }
    return text(response, 404, "no such control endpoint");
  };

  const server = await listen(handle, options.port);
  fake.url = server.url;
  fake.close = server.close;
  return fake;
}

async function respond(response: ServerResponse, answer: Response, status = answer.status) {
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    headers[name] = value;
  });
  response.writeHead(status, headers);
  response.end(Buffer.from(await answer.arrayBuffer()));
}

function text(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  response.writeHead(status, { "content-type": "text/plain", ...headers });
  response.end(body);
}
