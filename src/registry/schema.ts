import type { Billing } from "../conversation/meter";
import type { TokenUsage } from "../conversation/model";

/** The running totals a conversation reports: one column each in both tables, one field each of its report. */
const COUNTERS = {
  turns: (r: Counted) => r.turns,
  fallbacks: (r: Counted) => r.fallbacks,
  input: (r: Counted) => r.usage.input,
  output: (r: Counted) => r.usage.output,
  cache_read: (r: Counted) => r.usage.cacheRead,
  cache_write: (r: Counted) => r.usage.cacheWrite,
  do_requests: (r: Counted) => r.billing.doRequests,
  rows_read: (r: Counted) => r.billing.rowsRead,
  rows_written: (r: Counted) => r.billing.rowsWritten,
  subrequests: (r: Counted) => r.billing.subrequests,
} as const;

interface Counted {
  turns: number;
  /** Turns the bot's fallback model answered. */
  fallbacks: number;
  usage: TokenUsage;
  billing: Billing;
}

export const COUNTER_COLUMNS = Object.keys(COUNTERS) as (keyof typeof COUNTERS)[];

/** The report's totals, in `COUNTER_COLUMNS` order, to bind to a statement built from them. */
export const counterValues = (report: Counted): number[] => COUNTER_COLUMNS.map((column) => COUNTERS[column](report));

/** A row's totals (missing columns as 0) back into a report's fields. */
export function countersOf(row: Record<string, number | null | undefined>): Counted {
  const n = (column: keyof typeof COUNTERS) => row[column] ?? 0;
  return {
    turns: n("turns"),
    fallbacks: n("fallbacks"),
    usage: { input: n("input"), output: n("output"), cacheRead: n("cache_read"), cacheWrite: n("cache_write") },
    billing: {
      doRequests: n("do_requests"),
      rowsRead: n("rows_read"),
      rowsWritten: n("rows_written"),
      subrequests: n("subrequests"),
    },
  };
}

const counterColumns = COUNTER_COLUMNS.map((column) => `  ${column} INTEGER NOT NULL DEFAULT 0,`).join("\n");

/** A registry shard's tables: a row per live conversation, and one row of totals for the ended ones. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS alive (
  room_id INTEGER PRIMARY KEY,
  started_at INTEGER NOT NULL,
  last_activity_at INTEGER NOT NULL,
  ttl_ms INTEGER NOT NULL,
  waiting INTEGER NOT NULL,
${counterColumns}
  retrying INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ended (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  evictions INTEGER NOT NULL DEFAULT 0,
${counterColumns}
  consultations INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO ended (id) VALUES (1);`;

/** Columns that shards created before billing (or fallback turns) were counted lack. */
export const ADDED_COLUMNS: Record<"alive" | "ended", string[]> = {
  alive: ["do_requests", "rows_read", "rows_written", "subrequests", "fallbacks"],
  ended: ["do_requests", "rows_read", "rows_written", "subrequests", "consultations", "fallbacks"],
};
