import type { StoredBoost, StoredMessage } from "../campfire-emulator/store";

/** The playground Campfire's tables; boosts and files have their own, so stores made before them still open. */
export const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, room_id INTEGER NOT NULL, creator_id INTEGER NOT NULL, creator_name TEXT NOT NULL,
    bot INTEGER NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL, version INTEGER NOT NULL, edits INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE IF NOT EXISTS boosts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, message_id INTEGER NOT NULL, content TEXT NOT NULL, booster_id INTEGER NOT NULL,
    booster_name TEXT NOT NULL, created_at INTEGER NOT NULL)`,
  // data: the file's bytes as base64, or NULL for a file too big to keep.
  `CREATE TABLE IF NOT EXISTS attachments (
    message_id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, size INTEGER NOT NULL, data TEXT)`,
];

export type MessageRow = {
  id: number;
  room_id: number;
  creator_id: number;
  creator_name: string;
  bot: number;
  body: string;
  created_at: number;
  version: number;
  edits: number;
};
export type BoostRow = {
  id: number;
  message_id: number;
  content: string;
  booster_id: number;
  booster_name: string;
  created_at: number;
};
export type AttachmentRow = { message_id: number; name: string; type: string; size: number; data: string | null };

/** A boost as the playground page shows it. */
export interface PlaygroundBoost {
  id: number;
  messageId: number;
  content: string;
  booster: { id: number; name: string };
  createdAt: number;
}

/** What the room shows of a file message; the bytes are kept (base64) only for files up to 1 MB. */
export interface PlaygroundAttachment {
  name: string;
  type: string;
  size: number;
  downloadable: boolean;
}

/** A message as the playground page shows it. */
export interface PlaygroundMessage {
  id: number;
  roomId: number;
  creator: { id: number; name: string; bot: boolean };
  /** Empty for a file message: a file message has no text. */
  body: string;
  createdAt: number;
  /** Bumped by every change, boosts included, so the page can ask only for what changed. */
  version: number;
  edits: number;
  boosts: PlaygroundBoost[];
  attachment?: PlaygroundAttachment;
}

/** For the page: the message with its boosts and file. */
export function toPlaygroundMessage(
  row: MessageRow,
  boosts: BoostRow[],
  attachment: AttachmentRow | undefined,
): PlaygroundMessage {
  return {
    id: row.id,
    roomId: row.room_id,
    creator: { id: row.creator_id, name: row.creator_name, bot: row.bot === 1 },
    body: row.body,
    createdAt: row.created_at,
    version: row.version,
    edits: row.edits,
    boosts: boosts.map((boost) => ({
      id: boost.id,
      messageId: boost.message_id,
      content: boost.content,
      booster: { id: boost.booster_id, name: boost.booster_name },
      createdAt: boost.created_at,
    })),
    ...(attachment && {
      attachment: {
        name: attachment.name,
        type: attachment.type,
        size: attachment.size,
        downloadable: attachment.data !== null,
      },
    }),
  };
}

/** For the Campfire emulator's bot API. */
export function toStoredMessage(row: MessageRow, attachment: AttachmentRow | undefined): StoredMessage {
  return {
    id: row.id,
    roomId: row.room_id,
    createdAt: row.created_at,
    creator: { id: row.creator_id, name: row.creator_name, role: row.bot === 1 ? "bot" : "member" },
    html: row.body,
    ...(attachment && {
      attachment: { filename: attachment.name, contentType: attachment.type, byteSize: attachment.size },
    }),
  };
}

/** Only bots boost in the playground: its page has no boost button. */
export function toStoredBoost(row: BoostRow): StoredBoost {
  return {
    id: row.id,
    messageId: row.message_id,
    content: row.content,
    booster: { id: row.booster_id, name: row.booster_name, role: "bot" },
    createdAt: row.created_at,
  };
}
