import { cleanName, cleanText, MAX_NAME_CHARS, MAX_ROOM_NAME_CHARS } from "../text";

/** A message handed to a conversation: everything the Durable Object needs, nothing it must re-derive. */
export interface InboundMessage {
  /** Campfire's message id as text, or a hash for payloads that carry none (see `legacyMessageId`). */
  messageId: string;
  roomId: number;
  /** Null for a direct-message room, which Campfire leaves unnamed; '' when not known (a scheduled turn). */
  roomName: string | null;
  userId: number;
  userName: string;
  text: string;
  /** A briefing's notes on the rooms it could not read or had to cut: its answer carries each (`withNotes`). */
  notes?: string[];
}

/** What the model is told a direct-message room is called: Campfire shows its members' names instead of a name. */
export const directRoomLabel = (userName: string) => `Direct conversation with ${userName}`;

/** A message as a conversation stores it, whatever shape it arrived in. */
export function inboundMessage(fields: InboundMessage): InboundMessage {
  return {
    ...fields,
    roomName: fields.roomName === null ? null : cleanName(fields.roomName, MAX_ROOM_NAME_CHARS),
    userName: cleanName(fields.userName, MAX_NAME_CHARS) || "someone",
    text: cleanText(fields.text),
  };
}

/** How long the same text from the same person in the same room counts as a replay when it carries no message id. */
export const REPLAY_WINDOW_MS = 60_000;

/** The flat payload has no message id: a hash of room, sender and text stands in, within `REPLAY_WINDOW_MS`. */
export async function legacyMessageId(roomId: number, userId: number, text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(JSON.stringify([roomId, userId, text])),
  );
  return `hash:${[...new Uint8Array(digest).slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export const isHashId = (messageId: string) => messageId.startsWith("hash:");

/** The Durable Object of one conversation: a room talking to one bot. */
export const conversationName = (roomId: number, botId: string) => `${roomId}:${botId}`;
