import { tableNames } from "../sqlite";
import { ENDED_KEPT_MS, IDLE_LIMIT_MS } from "./schedule";

/**
 * `subscriptions` (ended ones too, for ENDED_KEPT_MS, to say why) and `people`: when each owner was last seen
 * talking to the bot, and their direct room with it once known. Created by the first use, deleted when empty.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS subscriptions (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL,
  owner_name TEXT NOT NULL,
  room_id INTEGER NOT NULL,
  room_name TEXT NOT NULL,
  post_room_id INTEGER NOT NULL,
  cron TEXT NOT NULL,
  time_zone TEXT,
  focus TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  next_due_at INTEGER NOT NULL,
  covered_id INTEGER NOT NULL,
  covered_at INTEGER NOT NULL,
  delivered_at INTEGER,
  failures INTEGER NOT NULL DEFAULT 0,
  firing_id TEXT,
  firing_text TEXT,
  firing_upto_id INTEGER,
  firing_upto_at INTEGER,
  ended_at INTEGER,
  ended_why TEXT
);
CREATE INDEX IF NOT EXISTS subscriptions_live ON subscriptions (next_due_at) WHERE ended_at IS NULL;
CREATE INDEX IF NOT EXISTS subscriptions_owner ON subscriptions (owner_id);
CREATE TABLE IF NOT EXISTS people (
  user_id INTEGER PRIMARY KEY,
  direct_room_id INTEGER,
  seen_at INTEGER NOT NULL
);`;

export type Row = Record<string, SqlStorageValue>;

/**
 * The Digests object's SQLite: its tables made by the first use, and what spans both of them. Every method is
 * synchronous: each read-modify-write completes before another event.
 */
export class DigestStore {
  /** Whether the tables exist (null until looked at). */
  private existing: boolean | null = null;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Whether the tables exist: until the first write, a read finds nothing. */
  get exists(): boolean {
    if (this.existing === null) this.existing = tableNames(this.storage.sql).has("subscriptions");
    return this.existing;
  }

  /** What the two tables' stores run their statements through. */
  sql<T extends Row = Row>(query: string, ...bindings: SqlStorageValue[]): SqlStorageCursor<T> {
    return this.storage.sql.exec<T>(query, ...bindings);
  }

  /** Makes the tables before a first write. */
  create(): void {
    if (this.exists) return;
    this.sql(SCHEMA);
    this.existing = true;
  }

  /** Deletes ended subscriptions kept long enough, and people with no live subscription not seen within the idle limit. */
  trim(now: number): number {
    if (!this.exists) return 0;
    const ended = this.sql("DELETE FROM subscriptions WHERE ended_at <= ?", now - ENDED_KEPT_MS).rowsWritten;
    this.sql(
      `DELETE FROM people WHERE seen_at <= ?
       AND NOT EXISTS (SELECT 1 FROM subscriptions WHERE owner_id = user_id AND ended_at IS NULL)`,
      now - IDLE_LIMIT_MS,
    );
    return ended;
  }

  /** When something next needs the alarm: a firing, an owner turning idle, a trim; null when nothing is kept. */
  nextWake(): number | null {
    if (!this.exists) return null;
    // The earliest seen_at is when an owner turns idle or a person's row is trimmed, whichever applies.
    const row = this.sql<{ due: number | null; ended: number | null; seen: number | null }>(
      `SELECT (SELECT min(next_due_at) FROM subscriptions WHERE ended_at IS NULL) AS due,
         (SELECT min(ended_at) FROM subscriptions) AS ended, (SELECT min(seen_at) FROM people) AS seen`,
    ).one();
    const times = [
      row.due,
      row.ended === null ? null : row.ended + ENDED_KEPT_MS,
      row.seen === null ? null : row.seen + IDLE_LIMIT_MS,
    ].filter((at): at is number => at !== null);
    return times.length ? Math.min(...times) : null;
  }

  /** Nothing is kept: the storage can go. */
  get empty(): boolean {
    if (!this.exists) return true;
    return (
      this.sql<{ n: number }>("SELECT EXISTS (SELECT 1 FROM subscriptions) + EXISTS (SELECT 1 FROM people) AS n").one()
        .n === 0
    );
  }

  async erase(): Promise<void> {
    await this.storage.deleteAll();
    this.existing = false;
  }
}
