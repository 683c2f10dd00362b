import { FAILURE_TALLIES } from "../failure";
import { addMissingColumns } from "../sqlite";

/**
 * The console's figures: failed attempts by tally, what Claude cost so far (micro-dollars, each call at its model's
 * price) and when the registry was last told the conversation's totals.
 */
const CONSOLE_COLUMNS = [
  ...FAILURE_TALLIES.map((tally) => `failed_${tally} INTEGER NOT NULL DEFAULT 0`),
  "claude_micros INTEGER NOT NULL DEFAULT 0",
  "reported_at INTEGER NOT NULL DEFAULT 0",
];

/**
 * A conversation's tables, created by its first message and dropped together at eviction. Few on purpose: every
 * table costs memory in each live object and writes when created. `conversation` is one row holding the
 * metadata, running totals, retry state, the transcript Claude sees (one JSON value, read and written whole, so
 * a turn reads and writes one row however long the conversation) with the summary of what it dropped, and the one
 * answer being posted; `inbox` holds messages waiting for an answer (with Campfire's id, to boost, or a schedule's
 * firing, to keep its answer, and a briefing's notes, for its answer to carry); `seen` the Campfire message ids (and
 * legacy payload hashes) received.
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
  turns INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  retry_attempts INTEGER NOT NULL DEFAULT 0,
  retry_at INTEGER,
  failing_since INTEGER,
  draft_message_id INTEGER,
  draft_posting_since INTEGER,
  transcript TEXT NOT NULL DEFAULT '[]',
  out_kind TEXT,
  out_upto_seq INTEGER,
  out_prompt TEXT,
  out_markdown TEXT,
  out_message_id INTEGER,
  out_posted INTEGER NOT NULL DEFAULT 0,
  out_queued_at INTEGER,
  out_files TEXT,
  out_boost TEXT,
  container_id TEXT,
  lacks TEXT NOT NULL DEFAULT '',
  do_requests INTEGER NOT NULL DEFAULT 0,
  rows_read INTEGER NOT NULL DEFAULT 0,
  rows_written INTEGER NOT NULL DEFAULT 0,
  subrequests INTEGER NOT NULL DEFAULT 0,
  reported TEXT,
  cache_rhythm TEXT,
  out_context TEXT,
  budget_rows TEXT,
  budget_held INTEGER NOT NULL DEFAULT 0,
  budget_cost INTEGER NOT NULL DEFAULT 0,
  summary TEXT,
  ${CONSOLE_COLUMNS.join(",\n  ")},
  fallbacks INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS inbox (
  seq INTEGER PRIMARY KEY,
  message_id INTEGER,
  user_id INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  text TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  firing TEXT,
  notes TEXT
);
CREATE TABLE IF NOT EXISTS seen (message_id TEXT PRIMARY KEY, at INTEGER) WITHOUT ROWID;`;

/** Reminders get their own table only when a bot first sets one: most conversations never do. */
export const REMINDERS_SCHEMA = `
CREATE TABLE IF NOT EXISTS reminders (
  id INTEGER PRIMARY KEY,
  due_at INTEGER NOT NULL,
  text TEXT NOT NULL,
  for_user TEXT NOT NULL,
  for_user_id INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  retry_at INTEGER,
  failing_since INTEGER,
  posting_since INTEGER
);`;

/**
 * The conversation's columns added since this layout first shipped: the turn rhythm the cache ttls are chosen from,
 * the room context an answer was given with, the fallback turns counted, the held budget reservation (its
 * counters as JSON, micro-dollars held, its turn's real cost so far), the summary of dropped history, the failures
 * and Claude's cost counted, and when the registry last heard. A conversation stored before them gets them in place.
 */
const LATER_COLUMNS = [
  "cache_rhythm TEXT",
  "out_context TEXT",
  "fallbacks INTEGER NOT NULL DEFAULT 0",
  "budget_rows TEXT",
  "budget_held INTEGER NOT NULL DEFAULT 0",
  "budget_cost INTEGER NOT NULL DEFAULT 0",
  "summary TEXT",
  ...CONSOLE_COLUMNS,
];

/**
 * The inbox's columns added since: which schedule's firing a waiting message is (see src/schedules/firing.ts), and
 * a briefing's notes its answer must carry (JSON, one per source at most; see src/schedules/material.ts).
 */
const LATER_INBOX_COLUMNS = ["firing TEXT", "notes TEXT"];

/** Adds the later columns a stored conversation lacks, from its tables' `CREATE TABLE` text (which ALTER TABLE extends). */
export function addLaterColumns(sql: SqlStorage, createSql: string, inboxSql?: string): void {
  addMissingColumns(sql, "conversation", LATER_COLUMNS, createSql);
  if (inboxSql) addMissingColumns(sql, "inbox", LATER_INBOX_COLUMNS, inboxSql);
}

/** Columns the first release's tables lack, added before its data moves into the new layout. */
const ADDED: Record<string, string[]> = {
  conversation: [
    "draft_posting_since INTEGER",
    "transcript TEXT NOT NULL DEFAULT '[]'",
    "out_kind TEXT",
    "out_upto_seq INTEGER",
    "out_prompt TEXT",
    "out_markdown TEXT",
    "out_message_id INTEGER",
    "out_posted INTEGER NOT NULL DEFAULT 0",
    "out_queued_at INTEGER",
    "out_files TEXT",
    "out_boost TEXT",
    "container_id TEXT",
    "lacks TEXT NOT NULL DEFAULT ''",
    "do_requests INTEGER NOT NULL DEFAULT 0",
    "rows_read INTEGER NOT NULL DEFAULT 0",
    "rows_written INTEGER NOT NULL DEFAULT 0",
    "subrequests INTEGER NOT NULL DEFAULT 0",
    "reported TEXT",
    ...LATER_COLUMNS,
  ],
  seen: ["at INTEGER"],
  inbox: ["message_id INTEGER", ...LATER_INBOX_COLUMNS],
  reminders: ["for_user_id INTEGER NOT NULL DEFAULT 0", "retry_at INTEGER", "failing_since INTEGER"],
};

/**
 * Moves a conversation stored by the first release (a `history` table and an `outbox` table) into this layout
 * in one transaction, so a deploy in the middle of a conversation loses neither its turns nor a waiting answer.
 */
export function upgradeFirstRelease(sql: SqlStorage, tables: Set<string>): void {
  for (const [table, columns] of Object.entries(ADDED)) {
    if (!tables.has(table)) continue;
    addMissingColumns(sql, table, columns);
  }
  sql.exec(`UPDATE conversation SET transcript = (SELECT coalesce(json_group_array(json_object('role', role, 'content', content)), '[]')
    FROM (SELECT role, content FROM history ORDER BY seq))`);
  if (tables.has("outbox")) {
    sql.exec(`UPDATE conversation SET (out_kind, out_upto_seq, out_prompt, out_markdown, out_message_id, out_posted, out_queued_at) =
      (SELECT kind, upto_seq, prompt, markdown, message_id, posted, queued_at FROM outbox) WHERE EXISTS (SELECT 1 FROM outbox)`);
    sql.exec("DROP TABLE outbox");
  }
  sql.exec("DROP TABLE history");
}
