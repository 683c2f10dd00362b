/** A reminder waiting in a conversation, to be posted to its room at `dueAt`. */
export interface Reminder {
  id: number;
  dueAt: number;
  text: string;
  forUser: string;
  attempts: number;
  /** Set when a post began; still set on the next run means that run may have posted it before dying. */
  postingSince: number | null;
}

/**
 * A conversation's reminders, in its own SQLite (the `reminders` table of its schema). Synchronous like the
 * rest of the store, so setting one and rescheduling the alarm happen in one step.
 */
export class ReminderStore {
  constructor(private readonly storage: DurableObjectStorage) {}

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  add(dueAt: number, text: string, forUser: string): number {
    return this.sql.exec<{ id: number }>("INSERT INTO reminders (due_at, text, for_user) VALUES (?, ?, ?) RETURNING id", dueAt, text, forUser).one().id;
  }

  nextDueAt(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT min(due_at) AS at FROM reminders").one().at;
  }

  all(): Reminder[] {
    return this.sql
      .exec<{ id: number; due_at: number; text: string; for_user: string; attempts: number; posting_since: number | null }>("SELECT * FROM reminders ORDER BY due_at, id")
      .toArray()
      .map((r) => ({ id: r.id, dueAt: r.due_at, text: r.text, forUser: r.for_user, attempts: r.attempts, postingSince: r.posting_since }));
  }

  cancel(id: number): boolean {
    return this.sql.exec("DELETE FROM reminders WHERE id = ?", id).rowsWritten > 0;
  }

  /** A post is starting now. */
  posting(id: number, now: number): void {
    this.sql.exec("UPDATE reminders SET posting_since = coalesce(posting_since, ?) WHERE id = ?", now, id);
  }

  /** The reminder posted: it is gone for good, and the conversation counts as active from now. */
  posted(id: number, now: number): void {
    this.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM reminders WHERE id = ?", id);
      this.sql.exec("UPDATE conversation SET last_activity_at = ?", now);
    });
  }

  /** Posting a reminder failed: try again at `retryAt`; returns how many attempts have failed. */
  failed(id: number, retryAt: number): number {
    return this.sql.exec<{ attempts: number }>("UPDATE reminders SET attempts = attempts + 1, due_at = ? WHERE id = ? RETURNING attempts", retryAt, id).one().attempts;
  }
}
