import { z } from "zod";

/** A message handed to a conversation: everything the Durable Object needs, nothing it must re-derive. */
export interface InboundMessage {
  /** Campfire's message id as text; null for the legacy shape, which carries none and so cannot be de-duplicated. */
  messageId: string | null;
  roomId: number;
  roomName: string;
  userId: number;
  userName: string;
  text: string;
}

const id = z.number().int().positive();
const person = z.object({ id, name: z.string() });

const campfireSchema = z.object({
  user: person,
  room: z.object({ id, name: z.string(), path: z.string() }),
  message: z.object({
    id,
    body: z.object({ html: z.string(), plain: z.string() }),
    path: z.string(),
  }),
});

const legacySchema = z.object({
  creator: person,
  room: z.object({ id, name: z.string() }),
  content: z.string(),
});

const ROOM_PATH = /^\/rooms\/(\d+)\/([^/]+)\/messages$/;

export type ParsedPayload =
  | { ok: true; shape: "campfire"; message: InboundMessage; key: string }
  | { ok: true; shape: "legacy"; message: InboundMessage }
  | { ok: false; reason: string };

/**
 * Checks a webhook body and says exactly which field is wrong. The current Campfire shape carries the bot key
 * in `room.path`; the older flat shape carries none (its key comes in the Authorization header).
 */
export function parsePayload(body: unknown): ParsedPayload {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, reason: "the body must be a JSON object like Campfire's webhook payload" };
  }
  if (!("message" in body) && ("content" in body || "creator" in body)) {
    const legacy = legacySchema.safeParse(body, { reportInput: true });
    if (!legacy.success) return { ok: false, reason: describe(legacy.error) };
    const { creator, room, content } = legacy.data;
    return {
      ok: true,
      shape: "legacy",
      message: { messageId: null, roomId: room.id, roomName: room.name, userId: creator.id, userName: creator.name, text: content.trim() },
    };
  }
  const parsed = campfireSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) return { ok: false, reason: describe(parsed.error) };
  const { user, room, message } = parsed.data;
  const path = ROOM_PATH.exec(room.path);
  if (!path) return { ok: false, reason: `room.path "${room.path}" is not a bot messages path (/rooms/<id>/<bot key>/messages)` };
  if (Number(path[1]) !== room.id) return { ok: false, reason: `room.path names room ${path[1]} but room.id is ${room.id}` };
  return {
    ok: true,
    shape: "campfire",
    key: path[2]!,
    message: {
      messageId: String(message.id),
      roomId: room.id,
      roomName: room.name,
      userId: user.id,
      userName: user.name,
      text: message.body.plain.trim(),
    },
  };
}

/** Turns zod's issues into one sentence that names each field: `message.body.plain is missing`. */
function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const field = issue.path.join(".") || "body";
      if (issue.code === "invalid_type" && issue.input === undefined) return `${field} is missing`;
      if (issue.code === "invalid_type") return `${field} must be ${issue.expected === "number" ? "a number" : `a ${issue.expected}`}`;
      return `${field}: ${issue.message}`;
    })
    .join("; ");
}
