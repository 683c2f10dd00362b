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

export type MessageRow = { id: number; room_id: number; creator_id: number; creator_name: string; bot: number; body: string; created_at: number; version: number; edits: number };
export type BoostRow = { id: number; message_id: number; content: string; booster_id: number; booster_name: string; created_at: number };
export type AttachmentRow = { message_id: number; name: string; type: string; size: number; data: string | null };
