import { REMINDERS_SCHEMA } from "./schema";

/** A reminder waiting in a conversation, to be posted to its room at `dueAt`. */
export interface Reminder {
  id: number;
  dueAt: number;
  text: string;
  forUser: string;
  forUserId: number;
  attempts: number;
  /** When a failed post is tried again; null until one fails. */
  retryAt: number | null;
  /** When posting first failed: the retry window counts from here, however often the retry moves. */
  failingSince: number | null;
  /** Set when a post began; still set on the next run means that run may have posted it before dying. */
  postingSince: number | null;
}

type Exec = <T extends Record<string, SqlStorageValue>>(
  query: string,
  ...bindings: SqlStorageValue[]
) => SqlStorageCursor<T>;

/**
 * A conversation's reminders, in its own SQLite. Synchronous like the rest of the store, so setting one and
 * rescheduling the alarm happen in one step. The table is created by the first reminder, not before.
 */
export class ReminderStore {
  private existing: boolean | null = null;

  constructor(
    private readonly exec: Exec,
    private readonly storage: DurableObjectStorage,
    private readonly lookUp: () => boolean,
  ) {}

  private get exists(): boolean {
    return (this.existing ??= this.lookUp());
  }

  add(dueAt: number, text: string, forUser: { id: number; name: string }): number {
    if (!this.exists) {
      this.exec(REMINDERS_SCHEMA);
      this.existing = true;
    }
    return this.exec<{ id: number }>(
      "INSERT INTO reminders (due_at, text, for_user, for_user_id) VALUES (?, ?, ?, ?) RETURNING id",
      dueAt,
      text,
      forUser.name,
      forUser.id,
    ).one().id;
  }

  /** When the next reminder is due (or its retry), or null when none waits. */
  nextDueAt(): number | null {
    if (!this.exists) return null;
    return this.exec<{ at: number | null }>("SELECT min(coalesce(retry_at, due_at)) AS at FROM reminders").one().at;
  }

  all(): Reminder[] {
    if (!this.exists) return [];
    return this.exec<Record<string, SqlStorageValue>>("SELECT * FROM reminders ORDER BY coalesce(retry_at, due_at), id")
      .toArray()
      .map((r) => ({
        id: r.id as number,
        dueAt: r.due_at as number,
        text: r.text as string,
        forUser: r.for_user as string,
        forUserId: r.for_user_id as number,
        attempts: r.attempts as number,
        retryAt: r.retry_at as number | null,
        failingSince: r.failing_since as number | null,
        postingSince: r.posting_since as number | null,
      }));
  }

  /** The reminder due first, if it is due by `now`. */
  due(now: number): Reminder | null {
    const [first] = this.all();
    return first && (first.retryAt ?? first.dueAt) <= now ? first : null;
  }

  cancel(id: number): boolean {
    return this.exists && this.exec("DELETE FROM reminders WHERE id = ?", id).rowsWritten > 0;
  }

  /** A post is starting now. */
  posting(id: number, now: number): void {
    this.exec("UPDATE reminders SET posting_since = coalesce(posting_since, ?) WHERE id = ?", now, id);
  }

  /** The reminder posted: it is gone for good, and the conversation counts as active from now. */
  posted(id: number, now: number): void {
    this.storage.transactionSync(() => {
      this.exec("DELETE FROM reminders WHERE id = ?", id);
      this.exec("UPDATE conversation SET last_activity_at = ?", now);
    });
  }

  /** Posting failed: try again at `retryAt`, keeping when the failures began. */
  failed(id: number, now: number, retryAt: number): void {
    this.exec(
      "UPDATE reminders SET attempts = attempts + 1, failing_since = coalesce(failing_since, ?), retry_at = ? WHERE id = ?",
      now,
      retryAt,
      id,
    );
  }

  /** The tables were dropped with the conversation. */
  forget(): void {
    this.existing = false;
  }
}
