import { DurableObject } from "cloudflare:workers";
import type { BudgetLimits } from "../config/budget";
import { log } from "../log";
import { tableNames } from "../sqlite";
import { type AuditEntry, type AuditExtent, type AuditFilter, type AuditRecord, nextTrimAt, trimCut } from "./audit";
import { budgetEntry } from "./budget-entry";
import { bounded, type Row, SCHEMA, toRecord } from "./control-rows";
import type { ControlStatus } from "./status";

/** Where an operator has set the bot, with when its budget override was set. */
export interface ControlView extends ControlStatus {
  budgetSetAt: number | null;
}

/** What an operator's change did: whether anything changed, and where the bot now stands. */
export interface ControlChange {
  changed: boolean;
  view: ControlView;
}

/**
 * One bot's operator controls, named `control:<bot id>`: whether it is paused, the budget that overrides
 * wrangler.toml's, and the audit log of what was done to and by it. Everything is in SQLite, so a fresh instance
 * knows it; the alarm trims the log, and is set only while the log holds entries. With the bot running, no
 * override and the log trimmed empty, the object deletes its storage.
 */
export class BotControl extends DurableObject<Env> {
  /** Whether the tables exist (null until looked at): created by the first change, dropped when all is empty. */
  private existing: boolean | null = null;
  /** When the alarm is set for, as this object last set it (null: none); undefined until read. */
  private armedAt: number | null | undefined;

  async status(): Promise<ControlView> {
    return this.view();
  }

  async pause(): Promise<ControlChange> {
    const before = this.view();
    if (before.paused) return { changed: false, view: before };
    await this.change((now) => {
      this.sql(
        "INSERT INTO switch (id, paused_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET paused_at = excluded.paused_at",
        now,
      );
      this.insert({ kind: "bot.paused", actor: "admin" }, now);
    });
    return { changed: true, view: this.view() };
  }

  async resume(): Promise<ControlChange> {
    const before = this.view();
    if (!before.paused) return { changed: false, view: before };
    await this.change((now) => {
      this.sql("UPDATE switch SET paused_at = NULL");
      this.dropEmptySwitch();
      this.insert({ kind: "bot.resumed", actor: "admin", detail: { paused_ms: now - before.changedAt! } }, now);
    });
    return { changed: true, view: this.view() };
  }

  /** Overrides wrangler.toml's budget until cleared. */
  async setBudget(limits: BudgetLimits): Promise<ControlChange> {
    await this.change((now) => {
      this.sql(
        "INSERT INTO switch (id, budget, budget_at) VALUES (1, ?1, ?2) ON CONFLICT (id) DO UPDATE SET budget = ?1, budget_at = ?2",
        JSON.stringify(limits),
        now,
      );
      this.insert({ kind: "budget.set", actor: "admin", detail: budgetEntry(limits) }, now);
    });
    return { changed: true, view: this.view() };
  }

  async clearBudget(): Promise<ControlChange> {
    const before = this.view();
    if (before.budget === null) return { changed: false, view: before };
    await this.change((now) => {
      this.sql("UPDATE switch SET budget = NULL, budget_at = NULL");
      this.dropEmptySwitch();
      this.insert({ kind: "budget.cleared", actor: "admin" }, now);
    });
    return { changed: true, view: this.view() };
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.change((now) => this.insert(entry, now));
  }

  /** The entries matching `filter`, newest first, at most `filter.limit`. */
  async entries(filter: AuditFilter): Promise<AuditRecord[]> {
    if (!this.exists) return [];
    const rest = [filter.roomId ?? null, filter.userId ?? null, filter.kind ?? null, filter.limit] as const;
    // The most selective filter given leads, so its index is used; three fixed statements, each prepared once.
    const where =
      filter.userId !== undefined ? "person = ?2 AND" : filter.roomId !== undefined ? "room_id = ?1 AND" : "";
    return this.sql<Row>(
      `SELECT id, at, kind, actor_id, actor_name, room_id, person, detail FROM audit
       WHERE ${where} (?1 IS NULL OR room_id = ?1) AND (?2 IS NULL OR person = ?2) AND (?3 IS NULL OR kind = ?3) ORDER BY id DESC LIMIT ?4`,
      ...rest,
    )
      .toArray()
      .map(toRecord);
  }

  /** Where the bot stands and its newest `limit` audit entries, in one request: what the operator's console reads. */
  async overview(limit: number): Promise<{ view: ControlView; audit: AuditRecord[] }> {
    return { view: this.view(), audit: await this.entries({ limit }) };
  }

  /**
   * Erases every entry by or about the person (their memory is being erased), then records that erasure: by the
   * operator, about that user id, with nothing else. Returns how many entries were erased.
   */
  async erasePerson(userId: number, erasure: AuditEntry): Promise<number> {
    let erased = 0;
    await this.change((now) => {
      erased = this.sql("DELETE FROM audit WHERE person = ? RETURNING id", userId).toArray().length;
      this.insert({ ...erasure, detail: { ...erasure.detail, audit_entries: erased } }, now);
    });
    return erased;
  }

  /** Trims the log to its bounds; sets the next trim, or leaves no alarm (and, with nothing left, no storage). */
  override async alarm(): Promise<void> {
    // The running alarm is gone once this returns, unless it sets another.
    this.armedAt = null;
    const extent = this.exists ? this.extent() : null;
    if (!extent) return this.vacateIfEmpty();
    const now = Date.now();
    const cut = trimCut(extent, now);
    const removed = this.sql(
      "DELETE FROM audit WHERE at < ? OR id <= ? RETURNING id",
      cut.before,
      cut.throughId,
    ).toArray().length;
    if (removed > 0) log("info", "audit.trimmed", { bot: this.botId(), removed });
    await this.armTrim(now);
    await this.vacateIfEmpty();
  }

  private get exists(): boolean {
    if (this.existing === null) this.existing = tableNames(this.ctx.storage.sql).has("switch");
    return this.existing;
  }

  private sql<T extends Row = Row>(query: string, ...bindings: SqlStorageValue[]): SqlStorageCursor<T> {
    return this.ctx.storage.sql.exec<T>(query, ...bindings);
  }

  private view(): ControlView {
    const row = this.exists ? this.sql<Row>("SELECT paused_at, budget, budget_at FROM switch").toArray()[0] : undefined;
    return {
      paused: row?.paused_at != null,
      changedAt: (row?.paused_at as number | null | undefined) ?? null,
      budget: row?.budget == null ? null : (JSON.parse(row.budget as string) as BudgetLimits),
      budgetSetAt: (row?.budget_at as number | null | undefined) ?? null,
    };
  }

  /** One change, whole or not at all; then the trim alarm is set if the log needs one sooner. */
  private async change(write: (now: number) => void): Promise<void> {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      if (!this.exists) {
        this.sql(SCHEMA);
        this.existing = true;
      }
      write(now);
    });
    await this.armTrim(now);
  }

  private insert(entry: AuditEntry, now: number): void {
    const person = entry.userId ?? (entry.actor === "admin" || entry.actor.userId <= 0 ? null : entry.actor.userId);
    const detail = entry.detail && Object.keys(entry.detail).length ? JSON.stringify(bounded(entry.detail)) : null;
    this.sql(
      "INSERT INTO audit (at, kind, actor_id, actor_name, room_id, person, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
      now,
      entry.kind.slice(0, 64),
      entry.actor === "admin" ? null : entry.actor.userId,
      entry.actor === "admin" ? "admin" : entry.actor.name.slice(0, 100),
      entry.roomId ?? null,
      person,
      detail,
    );
  }

  /** A switch row saying nothing (running, no override) is not kept. */
  private dropEmptySwitch(): void {
    this.sql("DELETE FROM switch WHERE paused_at IS NULL AND budget IS NULL");
  }

  private extent(): AuditExtent | null {
    const row = this.sql<{ oldestId: number; oldestAt: number; newestId: number }>(
      "SELECT id AS oldestId, at AS oldestAt, (SELECT max(id) FROM audit) AS newestId FROM audit ORDER BY id LIMIT 1",
    ).toArray()[0];
    return row ?? null;
  }

  private async armTrim(now: number): Promise<void> {
    const want = nextTrimAt(this.extent(), now);
    if (this.armedAt === undefined) this.armedAt = await this.ctx.storage.getAlarm();
    if (want === null) {
      if (this.armedAt !== null) await this.ctx.storage.deleteAlarm();
    } else if (this.armedAt === null || want < this.armedAt) await this.ctx.storage.setAlarm(want);
    else return;
    this.armedAt = want;
  }

  private async vacateIfEmpty(): Promise<void> {
    if (!this.exists) return;
    const left = this.sql<{ n: number }>(
      "SELECT (SELECT count(*) FROM switch) + (SELECT EXISTS (SELECT 1 FROM audit)) AS n",
    ).one().n;
    if (left > 0) return;
    await this.ctx.storage.deleteAll();
    this.existing = false;
    this.armedAt = null;
  }

  private botId(): string | undefined {
    return this.ctx.id.name?.replace(/^control:/, "");
  }
}
