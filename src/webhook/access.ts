import type { BotConfig } from "../config";
import type { ParsedPayload } from "./payload";

/** The rule that turned a message away, as logged (`webhook.refused`), and the sentence the person is answered with. */
export type AccessRule =
  | "user_blocked"
  | "user_not_allowed"
  | "direct_messages_off"
  | "room_blocked"
  | "room_not_allowed";

/**
 * What the person reads, posted by Campfire as the bot's message. Constant sentences without markup: Campfire
 * reads the body as rich text, as it does the greeting.
 */
export const REFUSALS: Record<AccessRule, string> = {
  user_blocked: "I'm not enabled for you — ask a Campfire admin.",
  user_not_allowed: "I'm not enabled for you — ask a Campfire admin.",
  direct_messages_off: "I don't take direct messages — mention me in a room instead.",
  room_blocked: "I'm not enabled in this room — ask a Campfire admin.",
  room_not_allowed: "I'm not enabled in this room — ask a Campfire admin.",
};

/** Who wrote, and where. */
export interface Asker {
  roomId: number;
  userId: number;
  direct: boolean;
}

/**
 * The asker of a payload. Campfire sends a direct room with `room.name` null; the older flat payload has no notion
 * of direct rooms (its name is optional), so it is never taken for one: `direct_messages` does not apply to it.
 */
export function askerOf({ shape, message }: Extract<ParsedPayload, { ok: true }>): Asker {
  return { roomId: message.roomId, userId: message.userId, direct: shape === "campfire" && message.roomName === null };
}

/**
 * The rule that refuses this message, or null when the bot serves it. The person comes first (a blocked person is
 * told so in any room), then direct rooms, then the room; a block beats an allow. A direct room is a room too:
 * with `rooms` set it is served only if listed. Only webhooks pass here: scheduled turns are the operator's own.
 */
export function accessRule(bot: Pick<BotConfig, "access">, { roomId, userId, direct }: Asker): AccessRule | null {
  const { access } = bot;
  if (access.blockUsers.includes(userId)) return "user_blocked";
  if (access.users && !access.users.includes(userId)) return "user_not_allowed";
  if (direct && !access.directMessages) return "direct_messages_off";
  if (access.blockRooms.includes(roomId)) return "room_blocked";
  if (access.rooms && !access.rooms.includes(roomId)) return "room_not_allowed";
  return null;
}
