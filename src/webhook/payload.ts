import { z } from "zod";
import type { InboundMessage } from "../conversation/message";

const id = z.number().int().positive();
const person = z.object({ id, name: z.string() });
// Campfire stores no name for a direct-message room: its webhook says `"name": null`.
const roomName = z
  .string()
  .nullish()
  .transform((name) => name ?? null);

const campfireSchema = z.object({
  user: person,
  room: z.object({ id, name: roomName, path: z.string() }),
  message: z.object({
    id,
    body: z.object({ html: z.string(), plain: z.string() }),
    path: z.string(),
  }),
});

const legacySchema = z.object({
  creator: person,
  room: z.object({ id, name: roomName }),
  content: z.string(),
});

/** A room's bot-messages path, possibly under the sub-path Campfire is served from (`/chat/rooms/5/<key>/messages`). */
const ROOM_PATH = /^((?:\/[^/]+)*?)\/rooms\/(\d+)\/([^/]+)\/messages$/;

/** A message before it is cleaned and given an id: what the payload itself says. */
export type PayloadMessage = Omit<InboundMessage, "messageId"> & { messageId: string | null };

export type ParsedPayload =
  | { ok: true; shape: "campfire"; message: PayloadMessage; key: string; basePath: string }
  | { ok: true; shape: "legacy"; message: PayloadMessage }
  | { ok: false; reason: string };

/**
 * Checks a webhook body and says exactly which field is wrong, without ever repeating the key or much of the
 * input. The current Campfire shape carries the bot key in `room.path`; the older flat shape carries none (its
 * key comes in the Authorization header) and no message id.
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
      message: {
        messageId: null,
        roomId: room.id,
        roomName: room.name,
        userId: creator.id,
        userName: creator.name,
        text: content.trim(),
      },
    };
  }
  const parsed = campfireSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) return { ok: false, reason: describe(parsed.error) };
  const { user, room, message } = parsed.data;
  const path = ROOM_PATH.exec(room.path);
  if (!path) return { ok: false, reason: "room.path is not a bot messages path (/rooms/<id>/<bot key>/messages)" };
  if (Number(path[2]) !== room.id)
    return { ok: false, reason: `room.path names room ${path[2]!.slice(0, 20)} but room.id is ${room.id}` };
  return {
    ok: true,
    shape: "campfire",
    key: path[3]!,
    basePath: path[1]!,
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
      const field = issue.path.join(".").slice(0, 80) || "body";
      if (issue.code === "invalid_type" && issue.input === undefined) return `${field} is missing`;
      if (issue.code === "invalid_type")
        return `${field} must be ${issue.expected === "number" ? "a number" : `a ${issue.expected}`}`;
      return `${field}: ${issue.message.slice(0, 120)}`;
    })
    .join("; ");
}
