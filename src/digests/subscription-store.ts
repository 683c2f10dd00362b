import { IDLE_LIMIT_MS } from "./schedule";
import type { DigestStore } from "./store";
import type { EndReason, Firing, NewSubscription, Subscription } from "./subscription";
import { COLUMNS, FROM, toSubscription } from "./subscription-rows";

/** The `subscriptions` table, with each owner's `seen_at` from `people` joined in. */
export class SubscriptionStore {
  constructor(private readonly store: DigestStore) {}

  /** Live subscriptions: one person's, or the bot's in all. */
  liveCount(ownerId?: number): number {
    if (!this.store.exists) return 0;
    return this.store
      .sql<{ n: number }>(
        "SELECT count(*) AS n FROM subscriptions WHERE ended_at IS NULL AND (?1 IS NULL OR owner_id = ?1)",
        ownerId ?? null,
      )
      .one().n;
  }

  add(subscription: NewSubscription, now: number): Subscription {
    this.store.create();
    const id = this.store
      .sql<{ id: number }>(
        `INSERT INTO subscriptions (owner_id, owner_name, room_id, room_name, post_room_id, cron, time_zone, focus, created_at,
         next_due_at, covered_id, covered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        subscription.owner.id,
        subscription.owner.name,
        subscription.roomId,
        subscription.roomName,
        subscription.postRoomId,
        subscription.cron,
        subscription.timeZone,
        subscription.focus,
        now,
        subscription.nextDueAt,
        subscription.coveredId,
        subscription.coveredAt,
      )
      .one().id;
    return this.get(id)!;
  }

  get(id: number): Subscription | null {
    if (!this.store.exists) return null;
    const row = this.store.sql(`SELECT ${COLUMNS} FROM ${FROM} WHERE s.id = ?`, id).toArray()[0];
    return row ? toSubscription(row) : null;
  }

  /** One person's subscriptions, or every one; live ones first, each group oldest first. */
  list(ownerId?: number): Subscription[] {
    if (!this.store.exists) return [];
    return this.store
      .sql(
        `SELECT ${COLUMNS} FROM ${FROM} WHERE ?1 IS NULL OR s.owner_id = ?1 ORDER BY s.ended_at IS NOT NULL, s.id`,
        ownerId ?? null,
      )
      .toArray()
      .map(toSubscription);
  }

  /** Live subscriptions due by `now` or whose owner has been idle too long, soonest first, at most `limit`. */
  due(now: number, limit: number): Subscription[] {
    if (!this.store.exists) return [];
    return this.store
      .sql(
        `SELECT ${COLUMNS} FROM ${FROM} WHERE s.ended_at IS NULL AND (s.next_due_at <= ?1 OR p.seen_at <= ?2)
       ORDER BY s.next_due_at LIMIT ?3`,
        now,
        now - IDLE_LIMIT_MS,
        limit,
      )
      .toArray()
      .map(toSubscription);
  }

  /** A firing is about to start its turn. */
  recordFiring(id: number, firing: Firing): void {
    this.store.sql(
      "UPDATE subscriptions SET firing_id = ?, firing_text = ?, firing_upto_id = ?, firing_upto_at = ? WHERE id = ?",
      firing.messageId,
      firing.text,
      firing.uptoId,
      firing.uptoAt,
      id,
    );
  }

  /** The run is over: what is now covered, when it is due next, and whether a digest went out. */
  advance(
    id: number,
    next: { dueAt: number; failures: number },
    covered?: { id: number; at: number },
    deliveredAt?: number,
  ): void {
    this.store.sql(
      // A digest that went out (?5) is no longer pending.
      `UPDATE subscriptions SET next_due_at = ?1, failures = ?2, covered_id = coalesce(?3, covered_id),
         covered_at = coalesce(?4, covered_at), delivered_at = coalesce(?5, delivered_at),
         firing_id = CASE WHEN ?5 IS NULL THEN firing_id END, firing_text = CASE WHEN ?5 IS NULL THEN firing_text END
       WHERE id = ?6`,
      next.dueAt,
      next.failures,
      covered?.id ?? null,
      covered?.at ?? null,
      deliveredAt ?? null,
      id,
    );
  }

  /** Ends a live subscription; false if there was none. What it was about to post is dropped with it. */
  end(id: number, why: EndReason, now: number): boolean {
    if (!this.store.exists) return false;
    return (
      this.store.sql(
        `UPDATE subscriptions SET ended_at = ?, ended_why = ?, firing_id = NULL, firing_text = NULL
         WHERE id = ? AND ended_at IS NULL`,
        now,
        why,
        id,
      ).rowsWritten > 0
    );
  }
}
