import { describe, expect, it } from "vitest";
import { decide, PAUSE_POLL_MS, REMINDER_LATE_LIMIT_MS, type ScheduleSnapshot } from "../../src/conversation/schedule";

const NOW = 1_000_000;
const TTL = 60_000;
/** A quiet conversation last active 10 s ago: nothing waits, nothing failed, the registry knows everything. */
const quiet: ScheduleSnapshot = {
  waiting: false,
  outgoing: false,
  retryAt: null,
  nextReminderAt: null,
  lastActivityAt: NOW - 10_000,
  ttlMs: TTL,
  paused: false,
  reportAt: null,
};
const DAY = REMINDER_LATE_LIMIT_MS;

describe("decide", () => {
  it.each<[string, Partial<ScheduleSnapshot>, ReturnType<typeof decide>]>([
    ["quiet: nothing now, wake at the TTL", {}, { action: "nothing", wakeAt: NOW - 10_000 + TTL }],
    ["a message waits: answer now", { waiting: true }, { action: "answer", wakeAt: NOW }],
    [
      "an answer is stored: deliver it before anything new",
      { waiting: true, outgoing: true },
      { action: "deliver", wakeAt: NOW },
    ],
    [
      "a retry in the future: wait for it",
      { waiting: true, retryAt: NOW + 4_000 },
      { action: "nothing", wakeAt: NOW + 4_000 },
    ],
    ["the clock exactly at the retry: answer", { waiting: true, retryAt: NOW }, { action: "answer", wakeAt: NOW }],
    ["a delivery retry due: deliver", { outgoing: true, retryAt: NOW - 1 }, { action: "deliver", wakeAt: NOW }],
    [
      "a reminder due and work pending: the reminder first",
      { waiting: true, nextReminderAt: NOW - 5 },
      { action: "post_reminder", wakeAt: NOW - 5 },
    ],
    [
      "a reminder due while a retry waits",
      { waiting: true, retryAt: NOW + 9_000, nextReminderAt: NOW },
      { action: "post_reminder", wakeAt: NOW },
    ],
    ["a reminder later, work now", { waiting: true, nextReminderAt: NOW + 50_000 }, { action: "answer", wakeAt: NOW }],
    [
      "a reminder later, nothing else: wait for it, not for the TTL",
      { nextReminderAt: NOW + 50_000 },
      { action: "nothing", wakeAt: NOW + 50_000 },
    ],
    [
      "TTL reached with a reminder pending: not forgotten",
      { lastActivityAt: NOW - TTL - 1, nextReminderAt: NOW + 5_000 },
      { action: "nothing", wakeAt: NOW + 5_000 },
    ],
    ["TTL reached exactly: forget", { lastActivityAt: NOW - TTL }, { action: "evict", wakeAt: NOW }],
    [
      "TTL passed but a message waits: answer, don't forget",
      { lastActivityAt: NOW - 5 * TTL, waiting: true },
      { action: "answer", wakeAt: NOW },
    ],
    [
      "early wake-up before the TTL: nothing, wake at the TTL",
      { lastActivityAt: NOW - TTL + 1 },
      { action: "nothing", wakeAt: NOW + 1 },
    ],
    [
      "paused, a message waits: told the bot is paused, no turn",
      { paused: true, waiting: true },
      { action: "tell_paused", wakeAt: NOW },
    ],
    [
      "paused, an answer is being posted: the turn that began finishes",
      { paused: true, waiting: true, outgoing: true },
      { action: "deliver", wakeAt: NOW },
    ],
    [
      "paused, a message waits behind a retry's back-off: told at the retry, not before",
      { paused: true, waiting: true, retryAt: NOW + 4_000 },
      { action: "nothing", wakeAt: NOW + 4_000 },
    ],
    [
      "paused, a reminder due: it waits, looked at again after the poll",
      { paused: true, nextReminderAt: NOW - 5 },
      { action: "nothing", wakeAt: NOW + PAUSE_POLL_MS },
    ],
    [
      "paused, a reminder due and a message waiting: the message is told, the reminder waits",
      { paused: true, waiting: true, nextReminderAt: NOW - 5 },
      { action: "tell_paused", wakeAt: NOW },
    ],
    [
      "paused, a reminder a poll short of a day late: wake when it becomes a day late",
      { paused: true, nextReminderAt: NOW - DAY + 1_000 },
      { action: "nothing", wakeAt: NOW + 1_000 },
    ],
    [
      "paused, a reminder a day late: dropped",
      { paused: true, nextReminderAt: NOW - DAY },
      { action: "drop_reminder", wakeAt: NOW - DAY },
    ],
    [
      "resumed, a reminder that waited an hour: posted now",
      { nextReminderAt: NOW - 3_600_000 },
      { action: "post_reminder", wakeAt: NOW - 3_600_000 },
    ],
    [
      "resumed, a reminder more than a day late: dropped, not posted out of its time",
      { nextReminderAt: NOW - DAY - 1 },
      { action: "drop_reminder", wakeAt: NOW - DAY - 1 },
    ],
    [
      "paused, a reminder later: wait for it as usual",
      { paused: true, nextReminderAt: NOW + 50_000 },
      { action: "nothing", wakeAt: NOW + 50_000 },
    ],
    [
      "paused and quiet: still forgotten at the TTL",
      { paused: true, lastActivityAt: NOW - TTL },
      { action: "evict", wakeAt: NOW },
    ],
    [
      "turns the registry has not heard of, reported 20 s ago: wake to report at the minute, before the TTL",
      { reportAt: NOW + 40_000 },
      { action: "nothing", wakeAt: NOW + 40_000 },
    ],
    ["a report due and nothing else: report", { reportAt: NOW }, { action: "report", wakeAt: NOW }],
    [
      "a report overdue (its last try failed): report now, not in the past",
      { reportAt: NOW - 30_000 },
      { action: "report", wakeAt: NOW },
    ],
    [
      "a report due and a message waiting: answer (the run reports as it ends)",
      { waiting: true, reportAt: NOW - 5 },
      { action: "answer", wakeAt: NOW },
    ],
    [
      "a report due and a reminder due: the reminder (the run reports as it ends)",
      { nextReminderAt: NOW - 5, reportAt: NOW - 5 },
      { action: "post_reminder", wakeAt: NOW - 5 },
    ],
    [
      "a report due as the TTL ends: forget (the eviction tells the registry everything)",
      { lastActivityAt: NOW - TTL, reportAt: NOW },
      { action: "evict", wakeAt: NOW },
    ],
    [
      "a report owed after the TTL: wake at the TTL, whose eviction reports",
      { reportAt: NOW + 55_000 },
      { action: "nothing", wakeAt: NOW - 10_000 + TTL },
    ],
    [
      "a report owed behind a retry's back-off: wake at whichever comes first",
      { waiting: true, retryAt: NOW + 9_000, reportAt: NOW + 4_000 },
      { action: "nothing", wakeAt: NOW + 4_000 },
    ],
    [
      "paused with a report due: the report goes, the pause holds no figures back",
      { paused: true, reportAt: NOW },
      { action: "report", wakeAt: NOW },
    ],
  ])("%s", (_, change, expected) => {
    expect(decide({ ...quiet, ...change }, NOW)).toEqual(expected);
  });

  it("has nothing to do and nothing to wake for without a conversation", () => {
    expect(decide(null, NOW)).toEqual({ action: "nothing", wakeAt: null });
  });

  it("never wakes earlier than now for due work, so no alarm is set in the past twice", () => {
    for (const retryAt of [null, NOW - 60_000, NOW])
      expect(decide({ ...quiet, waiting: true, retryAt }, NOW).wakeAt).toBe(NOW);
  });
});
