import type { Billing } from "../conversation/meter";
import type { TokenUsage } from "../conversation/model";
import { FAILURE_TALLIES, type FailureCounts, type FailureTally } from "../failure";

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
  claude_micros: (r: Counted) => r.claudeMicros,
  ...(Object.fromEntries(
    FAILURE_TALLIES.map((tally) => [`failed_${tally}`, (r: Counted) => r.failures[tally]]),
  ) as Record<`failed_${FailureTally}`, (r: Counted) => number>),
} as const;

export interface Counted {
  turns: number;
  /** Turns the bot's fallback model answered. */
  fallbacks: number;
  usage: TokenUsage;
  billing: Billing;
  /** What Claude cost, in micro-dollars, each call at its model's price. */
  claudeMicros: number;
  /** Failed attempts, and turns refused by a pause or a budget, by tally. */
  failures: FailureCounts;
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
    claudeMicros: n("claude_micros"),
    failures: Object.fromEntries(FAILURE_TALLIES.map((tally) => [tally, n(`failed_${tally}`)])) as FailureCounts,
  };
}

/** Two sets of totals added up. */
export const addCounted = (a: Counted, b: Counted): Counted => {
  const sum = counterValues(a).map((value, i) => value + counterValues(b)[i]!);
  return countersOf(Object.fromEntries(COUNTER_COLUMNS.map((column, i) => [column, sum[i]])));
};

const counterColumns = COUNTER_COLUMNS.map((column) => `  ${column} INTEGER NOT NULL DEFAULT 0,`).join("\n");

/**
 * A registry shard's tables: a row per live conversation, one row of totals for the ended ones, and a row per hour
 * (its start, ms since the epoch) of what its conversations' totals grew by in that hour — the console's series —
 * with the most conversations alive when one reported in it.
 */
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
INSERT OR IGNORE INTO ended (id) VALUES (1);
CREATE TABLE IF NOT EXISTS hourly (
  hour INTEGER PRIMARY KEY,
${counterColumns}
  alive INTEGER NOT NULL DEFAULT 0
);`;

/** Columns that shards created before billing (fallback turns, Claude's cost, failures) were counted lack. */
const CONSOLE_COLUMNS = ["claude_micros", ...FAILURE_TALLIES.map((tally) => `failed_${tally}`)];
export const ADDED_COLUMNS: Record<"alive" | "ended", string[]> = {
  alive: ["do_requests", "rows_read", "rows_written", "subrequests", "fallbacks", ...CONSOLE_COLUMNS],
  ended: ["do_requests", "rows_read", "rows_written", "subrequests", "consultations", "fallbacks", ...CONSOLE_COLUMNS],
};
