import { DurableObject } from "cloudflare:workers";
import type { Billing } from "../conversation/meter";
import type { TokenUsage } from "../conversation/model";
import { ADDED_COLUMNS, COUNTER_COLUMNS, counterValues, countersOf, SCHEMA } from "./schema";
import { addMissingColumns } from "../sqlite";

/** What a conversation tells the registry about itself; every field is a running total, so resending is harmless. */
export interface ConversationReport {
  roomId: number;
  startedAt: number;
  lastActivityAt: number;
  ttlMs: number;
  turns: number;
  fallbacks: number;
  waiting: number;
  retrying: boolean;
  usage: TokenUsage;
  /** Billable work so far: exact at eviction, as of the last report while alive. */
  billing: Billing;
}

export interface SessionSummary {
  alive: number;
  oldestActivityAt: number | null;
  newestActivityAt: number | null;
  turns: number;
  /** Turns the bot's fallback model answered. */
  fallbacks: number;
  waiting: number;
  retrying: number;
  evictions: number;
  usage: TokenUsage;
  billing: Billing;
  /** Turns this bot answered for another bot (`consult`). */
  consultations: number;
}

/** A conversation whose eviction report never arrived is swept this long after its TTL. */
const SWEEP_GRACE_MS = 60 * 60_000;

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

/**
 * One shard of one bot's session registry. Conversations cannot be listed cheaply, so each one reports its
 * lifecycle here: a row while it lives, folded into the `ended` totals when it is evicted. Rows are keyed by
 * room and replaced whole, so a repeated or reordered report never double-counts.
 */
export class SessionRegistry extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
    // Shards created before billing (or fallback turns) were counted lack their columns.
    for (const [table, added] of Object.entries(ADDED_COLUMNS)) {
      addMissingColumns(
        ctx.storage.sql,
        table,
        added.map((column) => `${column} INTEGER NOT NULL DEFAULT 0`),
      );
    }
  }

  /** Records a conversation's current totals; an older report (same conversation, fewer turns) never wins. */
  async report(report: ConversationReport): Promise<void> {
    const { roomId, startedAt, lastActivityAt, ttlMs, waiting, retrying } = report;
    this.ctx.storage.sql.exec(
      REPORT,
      roomId,
      startedAt,
      lastActivityAt,
      ttlMs,
      waiting,
      retrying ? 1 : 0,
      ...counterValues(report),
    );
    await this.scheduleSweep();
  }

  /** Another bot consulted this one: its usage counts here, as no conversation of this bot holds it. */
  async consulted(usage: TokenUsage): Promise<void> {
    this.ctx.storage.sql.exec(
      "UPDATE ended SET consultations = consultations + 1, input = input + ?, output = output + ?, cache_read = cache_read + ?, cache_write = cache_write + ?",
      usage.input,
      usage.output,
      usage.cacheRead,
      usage.cacheWrite,
    );
  }

  /** The conversation deleted itself: its totals move to `ended`. Only the conversation that started then counts. */
  async evicted(report: ConversationReport): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.sql.exec(
        "DELETE FROM alive WHERE room_id = ? AND started_at <= ?",
        report.roomId,
        report.startedAt,
      );
      this.ctx.storage.sql.exec(ADD_ENDED, ...counterValues(report));
    });
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

  /** Sweeps rows whose conversation must be gone (its eviction report was lost), counting them as evicted. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const stale = this.ctx.storage.sql
      .exec<{ room_id: number }>(
        "SELECT room_id FROM alive WHERE last_activity_at + ttl_ms + ? < ?",
        SWEEP_GRACE_MS,
        now,
      )
      .toArray();
    for (const { room_id } of stale) {
      const row = this.ctx.storage.sql
        .exec<Record<string, number>>("SELECT * FROM alive WHERE room_id = ?", room_id)
        .one();
      await this.evicted({
        roomId: room_id,
        startedAt: row.started_at!,
        lastActivityAt: row.last_activity_at!,
        ttlMs: row.ttl_ms!,
        waiting: 0,
        retrying: false,
        ...countersOf(row),
      });
    }
    await this.scheduleSweep();
  }

  private async scheduleSweep(): Promise<void> {
    const next = this.ctx.storage.sql
      .exec<{ at: number | null }>("SELECT min(last_activity_at + ttl_ms) + ? AS at FROM alive", SWEEP_GRACE_MS)
      .one().at;
    if (next === null) await this.ctx.storage.deleteAlarm();
    else if ((await this.ctx.storage.getAlarm()) !== next) await this.ctx.storage.setAlarm(next);
  }
}
