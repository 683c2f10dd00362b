import { DurableObject } from "cloudflare:workers";
import { log } from "../log";
import type { BudgetScope, CounterStatus, ReserveAnswer, ReserveRequest, Settlement } from "./counters";
import { budgetsFor, type CounterKey, decideReserve, periodsAt, toUsd } from "./policy";

/** How long a period's counter is kept after the period ended, for charts; the alarm then deletes it. */
export const KEEP_COUNTERS_MS = 40 * 86_400_000;
const TRIM_EVERY_MS = 86_400_000;

/**
 * One row per budget counter: a period (day or month, in the bot's time zone) of the bot, a person or a room, with
 * what is committed to it (spent plus reservations held by turns not yet settled) and whether its 80 % notice was
 * given. No other index: a reservation writes one row per budget.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS counters (
  period TEXT NOT NULL,
  scope TEXT NOT NULL,
  scope_id TEXT NOT NULL,
  committed INTEGER NOT NULL DEFAULT 0,
  warned INTEGER NOT NULL DEFAULT 0,
  ends_at INTEGER NOT NULL,
  PRIMARY KEY (period, scope, scope_id)
) WITHOUT ROWID;`;

const rowOf = (key: CounterKey) => `${key.period}\n${key.scope}\n${key.id}`;

/**
 * One bot's spending on Claude, named `budget:<bot id>`: every turn of the bot reserves its estimate here before it
 * asks the model, and settles the real cost with its next reservation, in one request. Requests are handled one at a
 * time and each decides and writes in one transaction, so conversations starting at once can never together take a
 * budget past its limit by more than their reservations.
 */
export class BotBudget extends DurableObject<Env> {
  private cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  /** Whether the trimming alarm is known to be set; looked at once per instance, so a reservation rarely pays for it. */
  private trimming = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  /**
   * Settles the previous reservation (if any) and reserves `estimateMicros` against every budget that applies,
   * unless that would take one past its limit: then nothing is reserved and the first such budget is named.
   */
  async reserve(request: ReserveRequest): Promise<ReserveAnswer> {
    const answer = this.ctx.storage.transactionSync(() => {
      const deltas = settlementDeltas(request.settle);
      const counters = budgetsFor(request.limits, request.now, request.timeZone, request.personId, request.roomId).map(
        (budget) => {
          const row = this.read(budget.key);
          return {
            ...budget,
            committedMicros: Math.max(0, (row?.committed ?? 0) + (deltas.get(rowOf(budget.key))?.micros ?? 0)),
            warned: row?.warned === 1,
          };
        },
      );
      const decision = decideReserve(counters, request.estimateMicros);
      if ("refused" in decision) {
        this.apply(deltas);
        const { kind, limitMicros, key } = decision.refused;
        return { ok: false as const, refused: { kind, limitUsd: toUsd(limitMicros), period: key.period } };
      }
      for (const counter of counters) {
        const warned = decision.crossed.includes(counter) ? 1 : 0;
        this.exec(
          `INSERT INTO counters (period, scope, scope_id, committed, warned, ends_at) VALUES (?1, ?2, ?3, max(0, ?4), ?5, ?6)
           ON CONFLICT (period, scope, scope_id) DO UPDATE SET committed = max(0, committed + ?4), warned = max(warned, ?5)`,
          counter.key.period,
          counter.key.scope,
          counter.key.id,
          (deltas.get(rowOf(counter.key))?.micros ?? 0) + request.estimateMicros,
          warned,
          counter.endsAt,
        );
        deltas.delete(rowOf(counter.key));
      }
      this.apply(deltas);
      return {
        ok: true as const,
        held: { rows: counters.map((counter) => counter.key), micros: request.estimateMicros },
        crossed: decision.crossed.map(({ kind, limitMicros, key }) => ({
          kind,
          limitUsd: toUsd(limitMicros),
          period: key.period,
        })),
      };
    });
    const setAlarm = await this.keepTrimming();
    return { ...answer, ...this.billed(setAlarm) };
  }

  /** Settles a reservation without making another: the conversation that held it ended. */
  async settle(settlement: Settlement): Promise<{ rowsRead: number; rowsWritten: number }> {
    this.ctx.storage.transactionSync(() => this.apply(settlementDeltas(settlement)));
    return this.billed(false);
  }

  /** What is committed to each budget that applies to this person in this room now, for the budget tool. */
  async status(scope: BudgetScope): Promise<CounterStatus[]> {
    const counters = budgetsFor(scope.limits, scope.now, scope.timeZone, scope.personId, scope.roomId).map(
      (budget) => ({
        kind: budget.kind,
        limitUsd: toUsd(budget.limitMicros),
        period: budget.key.period,
        endsAt: budget.endsAt,
        committedUsd: toUsd(this.read(budget.key)?.committed ?? 0),
      }),
    );
    this.cursors = [];
    return counters;
  }

  /**
   * The bot's own counters (as `status` with no person or room) and the `limit` people and rooms that committed most
   * today, in one request: what the operator's console reads. People and rooms have counters only under a limit.
   */
  async spending(
    scope: Omit<BudgetScope, "personId" | "roomId">,
    limit: number,
  ): Promise<{ counters: CounterStatus[]; top: { scope: "person" | "room"; id: string; committedUsd: number }[] }> {
    const counters = await this.status({ ...scope, personId: null, roomId: 0 });
    const top = this.exec<{ scope: "person" | "room"; id: string; committed: number }>(
      `SELECT scope, scope_id AS id, committed FROM (
         SELECT *, row_number() OVER (PARTITION BY scope ORDER BY committed DESC) AS n FROM counters
         WHERE period = ? AND scope IN ('person', 'room')) WHERE n <= ? ORDER BY scope, committed DESC`,
      periodsAt(scope.now, scope.timeZone).day,
      limit,
    )
      .toArray()
      .map((row) => ({ scope: row.scope, id: row.id, committedUsd: toUsd(row.committed) }));
    this.cursors = [];
    return { counters: counters.filter((counter) => counter.kind === "daily" || counter.kind === "monthly"), top };
  }

  /** Once a day: counters of periods that ended more than 40 days ago are deleted; with none left, the alarm stops. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const deleted = this.exec("DELETE FROM counters WHERE ends_at < ?", now - KEEP_COUNTERS_MS).rowsWritten;
    const left = this.exec<{ n: number }>("SELECT count(*) AS n FROM counters").one().n;
    this.cursors = [];
    if (deleted) log("info", "budget.trimmed", { counters: deleted, left });
    if (left > 0) await this.ctx.storage.setAlarm(now + TRIM_EVERY_MS);
    else this.trimming = false;
  }

  private read(key: CounterKey): { committed: number; warned: number } | undefined {
    return this.exec<{ committed: number; warned: number }>(
      "SELECT committed, warned FROM counters WHERE period = ? AND scope = ? AND scope_id = ?",
      key.period,
      key.scope,
      key.id,
    ).toArray()[0];
  }

  /** Adds each settled difference to its counter (never below zero); a counter trimmed meanwhile is left gone. */
  private apply(deltas: Map<string, { key: CounterKey; micros: number }>): void {
    for (const { key, micros } of deltas.values()) {
      if (micros !== 0)
        this.exec(
          "UPDATE counters SET committed = max(0, committed + ?4) WHERE period = ?1 AND scope = ?2 AND scope_id = ?3",
          key.period,
          key.scope,
          key.id,
          micros,
        );
    }
  }

  private async keepTrimming(): Promise<boolean> {
    if (this.trimming) return false;
    const set = (await this.ctx.storage.getAlarm()) === null;
    if (set) await this.ctx.storage.setAlarm(Date.now() + TRIM_EVERY_MS);
    this.trimming = true;
    return set;
  }

  private exec<T extends Record<string, SqlStorageValue>>(
    query: string,
    ...bindings: SqlStorageValue[]
  ): SqlStorageCursor<T> {
    const cursor = this.ctx.storage.sql.exec<T>(query, ...bindings);
    this.cursors.push(cursor as unknown as SqlStorageCursor<Record<string, SqlStorageValue>>);
    return cursor;
  }

  /** The rows this request read and wrote (an alarm set counts as a row written, as Cloudflare bills it). */
  private billed(setAlarm: boolean): { rowsRead: number; rowsWritten: number } {
    const rows = this.cursors.reduce(
      (sum, cursor) => ({
        rowsRead: sum.rowsRead + cursor.rowsRead,
        rowsWritten: sum.rowsWritten + cursor.rowsWritten,
      }),
      { rowsRead: 0, rowsWritten: setAlarm ? 1 : 0 },
    );
    this.cursors = [];
    return rows;
  }
}

/** What settling a reservation adds to each of its counters: its real cost minus what it held. */
function settlementDeltas(settle: Settlement | null): Map<string, { key: CounterKey; micros: number }> {
  const deltas = new Map<string, { key: CounterKey; micros: number }>();
  for (const key of settle?.rows ?? []) deltas.set(rowOf(key), { key, micros: settle!.costMicros - settle!.micros });
  return deltas;
}
