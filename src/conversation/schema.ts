/**
 * A conversation's tables. `conversation` holds one row of metadata and running totals; `seen` the Campfire
 * message ids already received; `inbox` the messages waiting for an answer; `history` the turns Claude sees;
 * `outbox` the one answer being posted; `reminders` what to post later. All are created by the first message and dropped at eviction.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS conversation (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  bot_id TEXT NOT NULL,
  room_id INTEGER NOT NULL,
  room_name TEXT NOT NULL,
  ttl_ms INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  last_activity_at INTEGER NOT NULL,
  retry_attempts INTEGER NOT NULL DEFAULT 0,
  retry_at INTEGER,
  failing_since INTEGER,
  turns INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  draft_message_id INTEGER,
  draft_posting_since INTEGER
);
CREATE TABLE IF NOT EXISTS seen (message_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  text TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
  content TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  kind TEXT NOT NULL CHECK (kind IN ('reply', 'error')),
  upto_seq INTEGER NOT NULL,
  prompt TEXT NOT NULL,
  markdown TEXT NOT NULL,
  message_id INTEGER,
  posted INTEGER NOT NULL DEFAULT 0,
  queued_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS reminders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  due_at INTEGER NOT NULL,
  text TEXT NOT NULL,
  for_user TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  posting_since INTEGER
);`;

/** Columns added after the first release, for conversations whose tables an older version created. */
export const ADDED_COLUMNS: Record<string, string> = {
  draft_posting_since: "ALTER TABLE conversation ADD COLUMN draft_posting_since INTEGER",
};
