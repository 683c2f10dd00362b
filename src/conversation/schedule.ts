/** What the alarm does on this run. */
export type Action = "post_reminder" | "deliver" | "answer" | "evict" | "nothing";

/** One read of the conversation: everything the schedule depends on. */
export interface ScheduleSnapshot {
  /** Messages wait for an answer. */
  waiting: boolean;
  /** An answer (or apology) is stored and not yet fully posted. */
  outgoing: boolean;
  /** When a failed answer or delivery is tried again; null when nothing failed. */
  retryAt: number | null;
  /** When the earliest reminder (or its retry) is due; null when none waits. */
  nextReminderAt: number | null;
  lastActivityAt: number;
  ttlMs: number;
}

export interface Decision {
  action: Action;
  /** When the alarm should next fire; null when there is no conversation to wake. */
  wakeAt: number | null;
}

/**
 * The conversation's whole policy in one pure function: what to do now and when to wake next. Pending work and
 * reminders keep a conversation alive; with neither, it is forgotten `ttlMs` after its last activity. A failure
 * moves `retryAt` into the future, so nothing is ever re-run at once after one (a failure storage could not record
 * is retried by the runtime instead: see `afterEscapedError`).
 */
export function decide(snapshot: ScheduleSnapshot | null, now: number): Decision {
  if (!snapshot) return { action: "nothing", wakeAt: null };
  const work = snapshot.waiting || snapshot.outgoing;
  const workAt = work ? Math.max(now, snapshot.retryAt ?? now) : null;
  const evictAt = work || snapshot.nextReminderAt !== null ? null : snapshot.lastActivityAt + snapshot.ttlMs;
  const deadlines = [workAt, snapshot.nextReminderAt, evictAt].filter((at): at is number => at !== null);
  return { action: actionAt(snapshot, now, workAt, evictAt), wakeAt: Math.min(...deadlines) };
}

function actionAt(snapshot: ScheduleSnapshot, now: number, workAt: number | null, evictAt: number | null): Action {
  if (snapshot.nextReminderAt !== null && snapshot.nextReminderAt <= now) return "post_reminder";
  if (workAt !== null && workAt <= now) return snapshot.outgoing ? "deliver" : "answer";
  if (evictAt !== null && evictAt <= now) return "evict";
  return "nothing";
}
