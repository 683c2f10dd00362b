/** A registry shard's tables: a row per live conversation, and one row of totals for the ended ones. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS alive (
  room_id INTEGER PRIMARY KEY,
  started_at INTEGER NOT NULL,
  last_activity_at INTEGER NOT NULL,
  ttl_ms INTEGER NOT NULL,
  turns INTEGER NOT NULL,
  waiting INTEGER NOT NULL,
  retrying INTEGER NOT NULL,
  input INTEGER NOT NULL,
  output INTEGER NOT NULL,
  cache_read INTEGER NOT NULL,
  cache_write INTEGER NOT NULL,
  do_requests INTEGER NOT NULL DEFAULT 0,
  rows_read INTEGER NOT NULL DEFAULT 0,
  rows_written INTEGER NOT NULL DEFAULT 0,
  subrequests INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS ended (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  evictions INTEGER NOT NULL DEFAULT 0,
  turns INTEGER NOT NULL DEFAULT 0,
  input INTEGER NOT NULL DEFAULT 0,
  output INTEGER NOT NULL DEFAULT 0,
  cache_read INTEGER NOT NULL DEFAULT 0,
  cache_write INTEGER NOT NULL DEFAULT 0,
  do_requests INTEGER NOT NULL DEFAULT 0,
  rows_read INTEGER NOT NULL DEFAULT 0,
  rows_written INTEGER NOT NULL DEFAULT 0,
  subrequests INTEGER NOT NULL DEFAULT 0,
  consultations INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO ended (id) VALUES (1);`;

export const BILLING_COLUMNS = ["do_requests", "rows_read", "rows_written", "subrequests"] as const;
