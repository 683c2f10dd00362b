import { DurableObject } from "cloudflare:workers";
import type { TokenUsage } from "../conversation/model";
import { addMissingColumns, tableDefinitions } from "../sqlite";
import { ADDED_COLUMNS, COUNTER_COLUMNS, type Counted, countersOf, counterValues, SCHEMA } from "./schema";

/**
 * What a conversation tells the registry about itself; every field is a running total, so resending is harmless.
 * Its billable work is exact at eviction, and as of the last report while alive.
 */
export interface ConversationReport extends Counted {
  roomId: number;
  startedAt: number;
  lastActivityAt: number;
  ttlMs: number;
  waiting: number;
  retrying: boolean;
}

export interface SessionSummary extends Counted {
  alive: number;
  oldestActivityAt: number | null;
  newestActivityAt: number | null;
  waiting: number;
  retrying: number;
  evictions: number;
  /** Turns this bot answered for another bot (`consult`). */
  consultations: number;
}

/** What a shard's conversations' totals grew by in one hour (from `hour`, ms since the epoch), and the most alive. */
export interface HourFigures extends Counted {
  hour: number;
  alive: number;
}

/** A conversation whose eviction report never arrived is swept this long after its TTL. */
const SWEEP_GRACE_MS = 60 * 60_000;

export const HOUR_MS = 3_600_000;
/** The hours a shard keeps figures for, the current one included: the console charts 14 days. */
export const KEEP_HOURS = 14 * 24;
/** An idle shard's alarm deletes the hours past KEEP_HOURS at most this long after they aged out, all at once. */
const TRIM_GRACE_MS = 86_400_000;

const columns = COUNTER_COLUMNS.join(", ");
const REPORT = `INSERT INTO alive (room_id, started_at, last_activity_at, ttl_ms, waiting, retrying, ${columns})
  VALUES (?, ?, ?, ?, ?, ?, ${COUNTER_COLUMNS.map(() => "?").join(", ")})
  ON CONFLICT (room_id) DO UPDATE SET started_at = excluded.started_at, last_activity_at = excluded.last_activity_at,
    ttl_ms = excluded.ttl_ms, waiting = excluded.waiting, retrying = excluded.retrying,
    ${COUNTER_COLUMNS.map((c) => `${c} = excluded.${c}`).join(", ")}
  WHERE excluded.started_at > alive.started_at
     OR (excluded.started_at = alive.started_at AND excluded.last_activity_at >= alive.last_activity_at)`;
const ADD_ENDED = `UPDATE ended SET evictions = evictions + 1, ${COUNTER_COLUMNS.map((c) => `${c} = ${c} + ?`).join(", ")}`;
const SUMMARY = `SELECT count(a.room_id) AS alive, min(a.last_activity_at) AS oldest, max(a.last_activity_at) AS newest,
    coalesce(sum(a.waiting), 0) AS waiting, coalesce(sum(a.retrying), 0) AS retrying, e.evictions, e.consultations,
    ${COUNTER_COLUMNS.map((c) => `e.${c} + coalesce(sum(a.${c}), 0) AS ${c}`).join(", ")}
  FROM ended e LEFT JOIN alive a`;
const ADD_TO_HOUR = `INSERT INTO hourly (hour, ${columns}, alive)
  VALUES (?, ${COUNTER_COLUMNS.map(() => "?").join(", ")}, (SELECT count(*) FROM alive))
  ON CONFLICT (hour) DO UPDATE SET ${COUNTER_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")},
    alive = max(alive, excluded.alive)`;

const hourOf = (at: number) => at - (at % HOUR_MS);

/**
 * One shard of one bot's session registry. Conversations cannot be listed cheaply, so each one reports its
 * lifecycle here: a row while it lives, folded into the `ended` totals when it is evicted. Rows are keyed by
 * room and replaced whole, so a repeated or reordered report never double-counts. What a report adds to the
 * conversation's row also counts in the hour it arrives in (`hourly`, KEEP_HOURS rows at most), for the console.
 */
export class SessionRegistry extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
    // Shards created before billing (or fallback turns) were counted lack their columns: judged from the tables'
    // CREATE text, one statement, not each table's column list (a row read per column, at every wake-up).
    const tables = tableDefinitions(ctx.storage.sql);
    for (const [table, added] of Object.entries(ADDED_COLUMNS)) {
      addMissingColumns(
        ctx.storage.sql,
        table,
        added.map((column) => `${column} INTEGER NOT NULL DEFAULT 0`),
        tables.get(table),
      );
    }
  }

  /** Records a conversation's current totals; an older report (same conversation, fewer turns) never wins. */
  async report(report: ConversationReport, now = Date.now()): Promise<void> {
    const { roomId, startedAt, lastActivityAt, ttlMs, waiting, retrying } = report;
    this.ctx.storage.transactionSync(() => {
      const before = this.recorded(roomId, startedAt);
      const won = this.ctx.storage.sql.exec(
        REPORT,
        roomId,
        startedAt,
        lastActivityAt,
        ttlMs,
        waiting,
        retrying ? 1 : 0,
        ...counterValues(report),
      ).rowsWritten;
      if (won > 0) this.addToHour(now, report, before);
    });
    await this.scheduleAlarm(now);
  }

  /** Another bot consulted this one: its usage counts here, as no conversation of this bot holds it. */
  async consulted(usage: TokenUsage, now = Date.now()): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.sql.exec(
        "UPDATE ended SET consultations = consultations + 1, input = input + ?, output = output + ?, cache_read = cache_read + ?, cache_write = cache_write + ?",
        usage.input,
        usage.output,
        usage.cacheRead,
        usage.cacheWrite,
      );
      this.addToHour(now, { ...countersOf({}), usage }, null);
    });
    await this.scheduleAlarm(now);
  }

  /** The conversation deleted itself: its totals move to `ended`. Only the conversation that started then counts. */
  async evicted(report: ConversationReport, now = Date.now()): Promise<void> {
    this.ctx.storage.transactionSync(() => this.moveToEnded(report, now));
    // Its hours must be trimmed some day, even if this is the first the shard hears of it (its birth report was lost).
    await this.scheduleAlarm(now);
  }

  summary(): SessionSummary {
    const row = this.ctx.storage.sql.exec<Record<string, number | null>>(SUMMARY).one();
    return {
      alive: row.alive ?? 0,
      oldestActivityAt: row.oldest ?? null,
      newestActivityAt: row.newest ?? null,
      waiting: row.waiting ?? 0,
      retrying: row.retrying ?? 0,
      evictions: row.evictions ?? 0,
      ...countersOf(row),
      consultations: row.consultations ?? 0,
    };
  }

  /** The summary and the hours from `since` on (oldest first, only those anything happened in), in one request. */
  overview(since: number): { summary: SessionSummary; hours: HourFigures[] } {
    const hours = this.ctx.storage.sql
      .exec<Record<string, number>>("SELECT * FROM hourly WHERE hour >= ? ORDER BY hour", since)
      .toArray()
      .map((row) => ({ hour: row.hour!, alive: row.alive!, ...countersOf(row) }));
    return { summary: this.summary(), hours };
  }

  /**
   * Sweeps rows whose conversation must be gone (its eviction report was lost), counting them as evicted, and
   * deletes the hours past KEEP_HOURS (a shard that hears nothing has no new hour to push them out).
   */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.trimHours(now);
    const stale = this.ctx.storage.sql
      .exec<Record<string, number>>("SELECT * FROM alive WHERE last_activity_at + ttl_ms + ? < ?", SWEEP_GRACE_MS, now)
      .toArray();
    this.ctx.storage.transactionSync(() => {
      for (const row of stale)
        this.moveToEnded(
          {
            roomId: row.room_id!,
            startedAt: row.started_at!,
            lastActivityAt: row.last_activity_at!,
            ttlMs: row.ttl_ms!,
            waiting: 0,
            retrying: false,
            ...countersOf(row),
          },
          now,
        );
    });
    // The alarm that is running counts as set until this returns: the next one is always set (or none left).
    await this.scheduleAlarm(now, true);
  }

  private moveToEnded(report: ConversationReport, now: number): void {
    const before = this.recorded(report.roomId, report.startedAt);
    this.ctx.storage.sql.exec(
      "DELETE FROM alive WHERE room_id = ? AND started_at <= ?",
      report.roomId,
      report.startedAt,
    );
    this.ctx.storage.sql.exec(ADD_ENDED, ...counterValues(report));
    this.addToHour(now, report, before);
  }

  /** The totals this shard holds for the conversation in `roomId` that started at `startedAt`, if it has heard of it. */
  private recorded(roomId: number, startedAt: number): Counted | null {
    const row = this.ctx.storage.sql
      .exec<Record<string, number>>("SELECT * FROM alive WHERE room_id = ? AND started_at = ?", roomId, startedAt)
      .toArray()[0];
    return row ? countersOf(row) : null;
  }

  /**
   * Adds what `totals` grew by since `before` (all of it for a conversation not heard of yet) to the hour `now` falls
   * in; nothing grew, nothing is written. A new hour pushes the oldest out, so a shard keeps KEEP_HOURS rows at most.
   */
  private addToHour(now: number, totals: Counted, before: Counted | null): void {
    const was = before && counterValues(before);
    const grown = counterValues(totals).map((value, i) => Math.max(0, value - (was?.[i] ?? 0)));
    if (grown.every((value) => value === 0)) return;
    this.ctx.storage.sql.exec(ADD_TO_HOUR, hourOf(now), ...grown);
    this.trimHours(now);
  }

  private trimHours(now: number): void {
    this.ctx.storage.sql.exec("DELETE FROM hourly WHERE hour <= ?", hourOf(now) - KEEP_HOURS * HOUR_MS);
  }

  /**
   * The alarm is due at the first sweep, or a day after the oldest hour aged out. Outside the alarm it is only ever
   * brought forward: one that fires early finds nothing to do and sets the next, which costs less than moving it at
   * every report.
   */
  private async scheduleAlarm(now: number, running = false): Promise<void> {
    const { sweep, oldest } = this.ctx.storage.sql
      .exec<{ sweep: number | null; oldest: number | null }>(
        "SELECT (SELECT min(last_activity_at + ttl_ms) FROM alive) + ? AS sweep, (SELECT min(hour) FROM hourly) AS oldest",
        SWEEP_GRACE_MS,
      )
      .one();
    const trim = oldest === null ? null : Math.max(now, oldest + KEEP_HOURS * HOUR_MS + TRIM_GRACE_MS);
    const next = sweep === null ? trim : trim === null ? sweep : Math.min(sweep, trim);
    const set = running ? null : await this.ctx.storage.getAlarm();
    if (next === null) {
      if (set !== null) await this.ctx.storage.deleteAlarm();
    } else if (set === null || next < set) await this.ctx.storage.setAlarm(next);
  }
}
