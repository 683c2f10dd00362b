import { messageLines } from "../campfire/message-lines";
import type { Room } from "../campfire/room";
import { log } from "../log";
import { roomContextBlock } from "./prompt";
import type { ConversationStore } from "./store";
import type { RoomContext } from "./transcript";

const CONTEXT_LINE_CHARS = 500;

/**
 * Recent messages of the room that are not already part of the conversation, framed as data: in a shared room
 * Campfire only sends the bot what mentions it. Only those after `after` (the newest the transcript has shown): the
 * ones before are in the history already. A slow or older Campfire is skipped quickly; the turn goes on.
 */
export async function roomContext(
  room: Room,
  store: ConversationStore,
  botId: string,
  roomName: string,
  limit: number,
  after: number | null,
  timeZone: string,
): Promise<RoomContext | null> {
  if (limit === 0 || !room.supports("read_edit")) return null;
  let recent: Awaited<ReturnType<Room["recent"]>>;
  try {
    recent = await room.recent({ quick: true });
  } catch (error) {
    log("warn", "room_context.skipped", { bot: botId, room: room.id, error: (error as Error).message });
    return null;
  }
  if (!recent) return null;
  // The bot's own messages are already in the conversation as answers, and so are the messages sent to it.
  const candidates = recent.filter(
    (message) => message.creator.id !== room.botUserId && message.text.trim() && (after === null || message.id > after),
  );
  const seen = store.seenAmong(candidates.map((message) => message.id));
  const shown = candidates.filter((message) => !seen.has(String(message.id))).slice(-limit);
  if (shown.length === 0) return null;
  return {
    text: roomContextBlock(roomName, messageLines(shown, timeZone, CONTEXT_LINE_CHARS), room.id),
    upto: Math.max(...shown.map((message) => message.id)),
  };
}
