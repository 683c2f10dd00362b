import type { IncomingMessage, ServerResponse } from "node:http";
import { type Attachment, type Boost, boostJson, boostStore, readAttachment } from "./campfire-media.ts";
import { json, listen, sleep } from "./http.ts";

export interface CampfireMessage {
  id: number;
  roomId: number;
  body: string;
  contentType: string;
  creator: { id: number; name: string; role: "bot" | "member" };
  createdAt: string;
  /** When it was posted, in epoch milliseconds. */
  at: number;
  /** Earlier bodies, oldest first, when the bot edited the message. */
  edits: string[];
  /** The uploaded file of a file message (whose body is empty: a file message has no text; its plain text is the file's name). */
  attachment?: Attachment;
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
  say(roomId: number, user: { id: number; name: string }, body: string): CampfireMessage;
  /** POSTs a webhook like Campfire does and applies its rules to the answer, 7-second limit included. */
  deliver(webhookUrl: string, payload: unknown, options?: { timeoutMs?: number }): Promise<Delivery>;
  reset(): void;
  close(): Promise<void>;
}

const BOT_KEY_SHAPE = /^\d+-[A-Za-z0-9]{12}$/;
const PAGE_SIZE = 40;

/** The exact payload Campfire POSTs to a bot's webhook for a mention, or for any message in a direct room (no name). */
export function campfirePayload(options: { roomId: number; roomName?: string; direct?: boolean; botKey: string; userId?: number; userName?: string; messageId: number; plain: string }) {
  return {
    user: { id: options.userId ?? 7, name: options.userName ?? "Ada Lovelace" },
    room: { id: options.roomId, name: options.direct ? null : (options.roomName ?? "Watercooler"), path: `/rooms/${options.roomId}/${options.botKey}/messages` },
    message: {
      id: options.messageId,
      body: { html: `<div><action-text-attachment content-type="application/vnd.campfire.mention"></action-text-attachment> ${options.plain}</div>`, plain: options.plain },
      path: `/rooms/${options.roomId}/@${options.messageId}`,
    },
  };
}

/**
 * A fake Campfire on loopback: the bot API (post text or a multipart file, read with paging, edit, delete, boost
 * and unboost) with Campfire's answers — 201 + Location, 201 + the boost's JSON, 422 for an empty body, 302 for
 * a wrong key, 404 from an older Campfire to all but posting — plus injectable
 * failures, and a webhook sender that treats the bot's answer exactly as Campfire does.
 */
export async function startFakeCampfire(options: { port?: number; botKeys?: string[]; legacy?: boolean } = {}): Promise<FakeCampfire> {
  let messages: CampfireMessage[] = [];
  let failures: Failure[] = [];
  let legacy = options.legacy ?? false;
  const legacyRooms = new Set<number>();
  const calls: Call[] = [];
  const boosts = boostStore();
  let nextId = 1000;
  const keyAllowed = (key: string) => (options.botKeys ? options.botKeys.includes(key) : BOT_KEY_SHAPE.test(key));
  const botMessages = (roomId: number) => messages.filter((m) => m.roomId === roomId && m.creator.role === "bot");

  const add = (roomId: number, body: string, contentType: string, creator: CampfireMessage["creator"]) => {
    const at = Date.now();
    const message: CampfireMessage = { id: nextId++, roomId, body, contentType, creator, createdAt: new Date(at).toISOString(), at, edits: [] };
    messages.push(message);
    return message;
  };

  const fake: FakeCampfire = {
    url: "",
    calls,
    messages: (roomId) => (roomId === undefined ? messages : messages.filter((m) => m.roomId === roomId)),
    boosts: (roomId) => boosts.list(roomId),
    async waitForMessages(roomId, count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (botMessages(roomId).length < count) {
        if (Date.now() > deadline) throw new Error(`room ${roomId} has ${botMessages(roomId).length} of ${count} bot messages after ${timeoutMs} ms`);
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
    say: (roomId, user, body) => add(roomId, body, "text/html", { ...user, role: "member" }),
    async deliver(webhookUrl, payload, { timeoutMs = 7_000 } = {}) {
      const started = Date.now();
      const roomId = (payload as { room: { id: number } }).room.id;
      const bot = { id: 0, name: "Bot", role: "bot" as const };
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
          if (body.trim()) add(roomId, body, contentType, bot);
          return { status: 200, contentType, ms, outcome: "message" };
        }
        if (contentType) {
          add(roomId, "attachment", contentType, bot);
          return { status: response.status, contentType, ms, outcome: "attachment" };
        }
        return { status: response.status, contentType, ms, outcome: "nothing" };
      } catch {
        add(roomId, "Failed to respond within 7 seconds", "text/plain", bot);
        return { status: null, contentType: null, ms: Date.now() - started, outcome: "timeout" };
      }
    },
    reset() {
      messages = [];
      failures = [];
      boosts.reset();
      calls.length = 0;
      legacyRooms.clear();
      legacy = options.legacy ?? false;
    },
    close: async () => {},
  };

  const handle = async (request: IncomingMessage, raw: Buffer, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://fake");
    const method = request.method ?? "GET";
    if (url.pathname.startsWith("/_fake/")) return control(url, method, raw, response);

    const match = /^\/rooms\/(\d+)\/([^/]+)\/messages(?:\/(\d+)(\/boosts(?:\/(\d+))?)?)?$/.exec(url.pathname);
    if (!match) return text(response, 404, "Not Found");
    const [, room, key, id, boostPath, boostId] = match;
    const roomId = Number(room);
    const call: Call = { method, roomId, path: url.pathname, status: 0, at: Date.now() };
    calls.push(call);
    response.on("finish", () => (call.status = response.statusCode));
    if (!keyAllowed(decodeURIComponent(key!))) {
      response.writeHead(302, { location: "/session/new" });
      return response.end();
    }
    const matching = failures.find((f) => (f.room === undefined || f.room === roomId) && (f.method === undefined || f.method === method) && (f.endsWith === undefined || url.pathname.endsWith(f.endsWith)));
    const failure = matching && (matching.after ?? 0) > 0 ? void matching.after!-- : matching;
    if (failure?.accepted) {
      if (--failure.times <= 0) failures.splice(failures.indexOf(failure), 1);
      // The call goes through as usual; only the status the bot hears is the failure's.
      const writeHead = response.writeHead.bind(response) as (status: number, ...rest: unknown[]) => ServerResponse;
      response.writeHead = ((_status: number, ...rest: unknown[]) => writeHead(failure.status, ...rest)) as never;
    } else if (failure) {
      if (--failure.times <= 0) failures.splice(failures.indexOf(failure), 1);
      if (failure.hangMs !== undefined) await sleep(failure.hangMs);
    }
    if (failure && failure.hangMs === undefined && !failure.accepted) {
      const headers: Record<string, string> = failure.retryAfter !== undefined ? { "retry-after": String(failure.retryAfter) } : {};
      return text(response, failure.status, "scripted failure", headers);
    }
    if ((legacy || legacyRooms.has(roomId)) && (method !== "POST" || id)) return text(response, 404, "Not Found");

    // A bot's user id is the first part of its key, as in Campfire.
    const bot = { id: Number(key!.split("-")[0]), name: "Bot", role: "bot" as const };
    if (method === "POST" && !id) {
      const contentType = request.headers["content-type"] ?? "";
      const attachment = await readAttachment(raw, contentType);
      const body = attachment ? "" : raw.toString("utf8");
      if (!attachment && (contentType.startsWith("multipart/form-data") || !body.trim())) return text(response, 422, "Unprocessable Entity");
      const message = add(roomId, body, attachment ? attachment.type : contentType, bot);
      if (attachment) message.attachment = attachment;
      response.writeHead(201, { location: `${fake.url}/rooms/${roomId}/messages/${message.id}` });
      return response.end();
    }
    if (method === "GET" && !id) return list(url, roomId, response);
    const message = messages.find((m) => m.id === Number(id) && m.roomId === roomId);
    if (!message) return text(response, 404, "Not Found");
    if (boostPath) return boost(method, message, raw, boostId, bot, response);
    if (method === "PATCH" || method === "PUT") {
      if (message.creator.role !== "bot") return text(response, 403, "Forbidden");
      const body = raw.toString("utf8");
      if (!body.trim()) return text(response, 422, "Unprocessable Entity");
      message.edits.push(message.body);
      message.body = body;
      response.writeHead(204);
      return response.end();
    }
    if (method === "DELETE") {
      messages = messages.filter((m) => m !== message);
      boosts.forgetMessage(message.id);
      response.writeHead(204);
      return response.end();
    }
    return text(response, 405, "Method Not Allowed");
  };

  const boost = (method: string, message: CampfireMessage, raw: Buffer, boostId: string | undefined, bot: Boost["booster"], response: ServerResponse) => {
    if (method === "POST" && !boostId) {
      const content = raw.toString("utf8");
      if (!content.trim()) return text(response, 422, "Unprocessable Entity");
      return json(response, 201, boostJson(boosts.add(message.roomId, message.id, content, { id: bot.id, name: bot.name })));
    }
    if (method === "DELETE" && boostId) {
      if (!boosts.remove(message.roomId, message.id, Number(boostId), bot.id)) return text(response, 404, "Not Found");
      response.writeHead(204);
      return response.end();
    }
    return text(response, 405, "Method Not Allowed");
  };

  const list = (url: URL, roomId: number, response: ServerResponse) => {
    const before = Number(url.searchParams.get("before") ?? Infinity);
    const after = Number(url.searchParams.get("after") ?? -Infinity);
    const inRoom = messages.filter((m) => m.roomId === roomId && m.id < before && m.id > after);
    // Like Campfire: the newest page by default (or after `after`, the oldest), always oldest first.
    const page = url.searchParams.has("after") ? inRoom.slice(0, PAGE_SIZE) : inRoom.slice(-PAGE_SIZE);
    const headers: Record<string, string> = { "x-total-count": String(messages.filter((m) => m.roomId === roomId).length) };
    if (!url.searchParams.has("after") && inRoom.length > page.length) headers.link = `<${url.pathname}?before=${page[0]!.id}>; rel="next"`;
    json(response, 200, page.map((m) => ({
      id: m.id,
      created_at: m.createdAt,
      // As Campfire's Message#plain_text_body: the text, else the attached file's name.
      body: { plain_text: m.body.replace(/<[^>]*>/g, "") || (m.attachment?.name ?? ""), html: m.body },
      creator: m.creator,
      room: { id: m.roomId },
      url: `${fake.url}/rooms/${m.roomId}/messages/${m.id}`,
    })), headers);
  };

  const control = (url: URL, method: string, raw: Buffer, response: ServerResponse) => {
    const input = raw.length ? (JSON.parse(raw.toString("utf8")) as Record<string, unknown>) : {};
    switch (`${method} ${url.pathname}`) {
      case "GET /_fake/messages": {
        const room = url.searchParams.get("room");
        return json(response, 200, fake.messages(room === null ? undefined : Number(room)));
      }
      case "POST /_fake/fail":
        fake.failNext(input as unknown as Failure);
        return json(response, 200, { ok: true });
      case "POST /_fake/legacy":
        fake.setLegacy(Boolean(input.on), typeof input.room === "number" ? input.room : undefined);
        return json(response, 200, { ok: true });
      case "GET /_fake/boosts": {
        const room = url.searchParams.get("room");
        return json(response, 200, fake.boosts(room === null ? undefined : Number(room)));
      }
      case "GET /_fake/calls":
        return json(response, 200, calls);
      case "POST /_fake/say": {
        const { roomId, user, body } = input as { roomId: number; user: { id: number; name: string }; body: string };
        return json(response, 200, fake.say(roomId, user, body));
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

function text(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  response.writeHead(status, { "content-type": "text/plain", ...headers });
  response.end(body);
}
