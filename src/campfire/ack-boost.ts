import { log } from "../log";
import type { Room } from "./room";

/** The boost a bot put on a person's message while it works on it, to take off again. */
export interface AckBoost {
  messageId: number;
  boostId: number;
}

/**
 * Boosts the asker's message (👀) so they see at once that the bot is on it. Best effort: a Campfire without
 * boosts is remembered and never asked again, and no failure here holds up or fails the turn.
 */
export async function acknowledge(
  room: Room,
  content: string,
  messageId: number | null,
  botId: string,
): Promise<AckBoost | null> {
  if (!content || messageId === null || !room.supports("boosts")) return null;
  try {
    const boostId = await room.boost(messageId, content);
    return boostId === null ? null : { messageId, boostId };
  } catch (error) {
    log("warn", "boost.failed", { bot: botId, room: room.id, error: (error as Error).message.slice(0, 200) });
    return null;
  }
}

/** Takes the boost off once the answer is posted, or the turn ended without one; a failure leaves it on, nothing more. */
export async function release(room: Room, boost: AckBoost | null): Promise<void> {
  if (boost) await room.unboost(boost.messageId, boost.boostId).catch(() => {});
}
