/** What the alarm does on this run. */
export type Action =
  | "post_reminder"
  | "drop_reminder"
  | "deliver"
  | "answer"
  | "tell_paused"
  | "evict"
  | "report"
  | "nothing";

/** While the bot is paused, a due reminder is looked at again this often, so it is posted soon after the bot resumes. */
export const PAUSE_POLL_MS = 60_000;

/** A reminder this late (held by a long pause) is dropped and logged rather than posted out of its time. */
export const REMINDER_LATE_LIMIT_MS = 24 * 3_600_000;

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
  /** An operator paused the bot: no turn starts and no reminder is posted; waiting messages are told so instead. */
  paused: boolean;
  /** When the registry is owed the conversation's totals (see `reportDueAt`); null when it knows everything. */
  reportAt: number | null;
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
 * is retried by the runtime instead: see `afterEscapedError`). While the bot is paused an answer being posted is
 * still posted (the turn had begun), waiting messages get one sentence instead of a turn, and a due reminder waits,
 * looked at every PAUSE_POLL_MS, until the bot resumes or it is REMINDER_LATE_LIMIT_MS late and dropped. A report
 * owed to the registry is one more deadline, after everything else: any run reports as it ends, and an eviction
 * tells the registry everything.
 */
export function decide(snapshot: ScheduleSnapshot | null, now: number): Decision {
  if (!snapshot) return { action: "nothing", wakeAt: null };
  const work = snapshot.waiting || snapshot.outgoing;
  const workAt = work ? Math.max(now, snapshot.retryAt ?? now) : null;
  const reminderAt = snapshot.nextReminderAt;
  const held = snapshot.paused && reminderAt !== null && reminderAt <= now && !tooLate(reminderAt, now);
  const reminderWake = held ? Math.min(now + PAUSE_POLL_MS, reminderAt + REMINDER_LATE_LIMIT_MS) : reminderAt;
  const evictAt = work || reminderAt !== null ? null : snapshot.lastActivityAt + snapshot.ttlMs;
  const reportAt = snapshot.reportAt === null ? null : Math.max(now, snapshot.reportAt);
  const deadlines = [workAt, reminderWake, evictAt, reportAt].filter((at): at is number => at !== null);
  return { action: actionAt(snapshot, now, workAt, evictAt), wakeAt: Math.min(...deadlines) };
}

const tooLate = (reminderAt: number, now: number) => now - reminderAt >= REMINDER_LATE_LIMIT_MS;

function actionAt(snapshot: ScheduleSnapshot, now: number, workAt: number | null, evictAt: number | null): Action {
  const reminderAt = snapshot.nextReminderAt;
  if (reminderAt !== null && reminderAt <= now) {
    if (tooLate(reminderAt, now)) return "drop_reminder";
    if (!snapshot.paused) return "post_reminder";
  }
  if (workAt !== null && workAt <= now)
    return snapshot.outgoing ? "deliver" : snapshot.paused ? "tell_paused" : "answer";
  if (evictAt !== null && evictAt <= now) return "evict";
  if (snapshot.reportAt !== null && snapshot.reportAt <= now) return "report";
  return "nothing";
}
