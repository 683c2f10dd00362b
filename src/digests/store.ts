import { tableNames } from "../sqlite";
import type { Person } from "../tools/tool";
import { ENDED_KEPT_MS, IDLE_LIMIT_MS } from "./schedule";

/** Why a subscription ended. */
export type EndReason = "cancelled" | "admin" | "idle" | "not_in_room" | "shared_direct_room" | "never_fires";

/** A digest being posted: recorded before its turn is started, so a retried run starts the very same one. */
export interface Firing {
  /** The conversation's message id for this firing: a conversation starts one turn per id. */
  messageId: string;
  text: string;
  /** The newest message it covers, and that message's time. */
  uptoId: number;
  uptoAt: number;
}

/** One subscription, as the Digests object keeps it. */
export interface Subscription {
  id: number;
  owner: Person;
  /** The room it was asked in, which it summarises. */
  roomId: number;
  roomName: string;
  /** Where it is posted: that room, or the owner's direct room with the bot. */
  postRoomId: number;
  cron: string;
  /** Its own time zone; null for the bot's `time_zone`. */
  timeZone: string | null;
  focus: string;
  createdAt: number;
  nextDueAt: number;
  /** The newest message the last digest covered (at first: the newest when it was made), and its time. */
  coveredId: number;
  coveredAt: number;
  deliveredAt: number | null;
  /** Failed firings in a row. */
  failures: number;
  firing: Firing | null;
  endedAt: number | null;
  endedWhy: EndReason | null;
  /** When its owner was last seen talking to the bot. */
  seenAt: number;
}

/** What a new subscription is made of. */
export type NewSubscription = Pick<
  Subscription,
  | "owner"
  | "roomId"
  | "roomName"
  | "postRoomId"
  | "cron"
  | "timeZone"
  | "focus"
  | "nextDueAt"
  | "coveredId"
  | "coveredAt"
>;

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

type Row = Record<string, SqlStorageValue>;

const COLUMNS = `s.id, s.owner_id, s.owner_name, s.room_id, s.room_name, s.post_room_id, s.cron, s.time_zone, s.focus,
  s.created_at, s.next_due_at, s.covered_id, s.covered_at, s.delivered_at, s.failures, s.firing_id, s.firing_text,
  s.firing_upto_id, s.firing_upto_at, s.ended_at, s.ended_why, coalesce(p.seen_at, s.created_at) AS seen_at`;
// An ended subscription may outlive its owner's row (trimmed once they have no live one).
const FROM = "subscriptions s LEFT JOIN people p ON p.user_id = s.owner_id";

function toSubscription(row: Row): Subscription {
  return {
    id: row.id as number,
    owner: { id: row.owner_id as number, name: row.owner_name as string },
    roomId: row.room_id as number,
    roomName: row.room_name as string,
    postRoomId: row.post_room_id as number,
    cron: row.cron as string,
    timeZone: row.time_zone as string | null,
    focus: row.focus as string,
    createdAt: row.created_at as number,
    nextDueAt: row.next_due_at as number,
    coveredId: row.covered_id as number,
    coveredAt: row.covered_at as number,
    deliveredAt: row.delivered_at as number | null,
    failures: row.failures as number,
    firing:
      row.firing_id === null
        ? null
        : {
            messageId: row.firing_id as string,
            text: row.firing_text as string,
            uptoId: row.firing_upto_id as number,
            uptoAt: row.firing_upto_at as number,
          },
    endedAt: row.ended_at as number | null,
    endedWhy: row.ended_why as EndReason | null,
    seenAt: row.seen_at as number,
  };
}

/** The Digests object's SQLite. Every method is synchronous: each read-modify-write completes before another event. */
export class DigestStore {
  /** Whether the tables exist (null until looked at). */
  private existing: boolean | null = null;

  constructor(private readonly storage: DurableObjectStorage) {}

  private get exists(): boolean {
    if (this.existing === null) this.existing = tableNames(this.storage.sql).has("subscriptions");
    return this.existing;
  }

  private sql<T extends Row = Row>(query: string, ...bindings: SqlStorageValue[]): SqlStorageCursor<T> {
    return this.storage.sql.exec<T>(query, ...bindings);
  }

  private create(): void {
    if (this.exists) return;
    this.sql(SCHEMA);
    this.existing = true;
  }

  /** The owner was seen talking to the bot at `at`; their direct room with it is `directRoomId`, when known. */
  seen(userId: number, at: number, directRoomId?: number): void {
    this.create();
    this.sql(
      `INSERT INTO people (user_id, direct_room_id, seen_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (user_id) DO UPDATE SET seen_at = max(seen_at, ?3), direct_room_id = coalesce(?2, direct_room_id)`,
      userId,
      directRoomId ?? null,
      at,
    );
  }

  /** The owner talked to the bot at `at`: kept only for someone the object already knows. */
  touch(userId: number, at: number): void {
    if (this.exists) this.sql("UPDATE people SET seen_at = max(seen_at, ?) WHERE user_id = ?", at, userId);
  }

  directRoom(userId: number): number | null {
    if (!this.exists) return null;
    return (
      this.sql<{ room: number | null }>(
        "SELECT direct_room_id AS room FROM people WHERE user_id = ?",
        userId,
      ).toArray()[0]?.room ?? null
    );
  }

  /** Live subscriptions: one person's, or the bot's in all. */
  liveCount(ownerId?: number): number {
    if (!this.exists) return 0;
    return this.sql<{ n: number }>(
      "SELECT count(*) AS n FROM subscriptions WHERE ended_at IS NULL AND (?1 IS NULL OR owner_id = ?1)",
      ownerId ?? null,
    ).one().n;
  }

  add(subscription: NewSubscription, now: number): Subscription {
    this.create();
    const id = this.sql<{ id: number }>(
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
    ).one().id;
    return this.get(id)!;
  }

  get(id: number): Subscription | null {
    if (!this.exists) return null;
    const row = this.sql(`SELECT ${COLUMNS} FROM ${FROM} WHERE s.id = ?`, id).toArray()[0];
    return row ? toSubscription(row) : null;
  }

  /** One person's subscriptions, or every one; live ones first, each group oldest first. */
  list(ownerId?: number): Subscription[] {
    if (!this.exists) return [];
    return this.sql(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE ?1 IS NULL OR s.owner_id = ?1 ORDER BY s.ended_at IS NOT NULL, s.id`,
      ownerId ?? null,
    )
      .toArray()
      .map(toSubscription);
  }

  /** Live subscriptions due by `now` or whose owner has been idle too long, soonest first, at most `limit`. */
  due(now: number, limit: number): Subscription[] {
    if (!this.exists) return [];
    return this.sql(
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
    this.sql(
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
    this.sql(
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
    if (!this.exists) return false;
    return (
      this.sql(
        `UPDATE subscriptions SET ended_at = ?, ended_why = ?, firing_id = NULL, firing_text = NULL
         WHERE id = ? AND ended_at IS NULL`,
        now,
        why,
        id,
      ).rowsWritten > 0
    );
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
