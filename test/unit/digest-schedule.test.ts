import { describe, expect, it } from "vitest";
import { type Cron, parseCron } from "../../src/cron";
import { DIGEST_PROMPT_CHARS, digestPrompt } from "../../src/digests/prompt";
import {
  cadenceProblem,
  type DigestSnapshot,
  decideDigest,
  digestCron,
  IDLE_LIMIT_MS,
  nextDue,
  RETRY_FIRST_MS,
  RETRY_MAX_MS,
  scheduleWords,
} from "../../src/digests/schedule";
import { shownMessages } from "../shown-messages";

const cron = (text: string): Cron => parseCron(text) as Cron;
const at = (iso: string) => Date.parse(iso);
const iso = (instant: number | null) => (instant === null ? null : new Date(instant).toISOString());

describe("a digest's schedule as the subscribe tool takes it", () => {
  it.each<[string, Parameters<typeof digestCron>[0], string]>([
    ["every weekday at 9", { time: "09:00", days: ["mon", "tue", "wed", "thu", "fri"] }, "0 9 * * MON-FRI"],
    ["every day at 17:30, days left out", { time: "17:30" }, "30 17 * * *"],
    [
      "all seven days is every day",
      { time: "8:05", days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
      "5 8 * * *",
    ],
    ["Mondays and Thursdays, in any order", { time: "07:00", days: ["thu", "mon"] }, "0 7 * * MON,THU"],
    ["a cron as given, spacing tidied", { cron: " 0  9 1 * * " }, "0 9 1 * *"],
  ])("%s", (_, input, expected) => {
    expect(digestCron(input)).toMatchObject({ cron: expected });
  });

  it.each<[string, Parameters<typeof digestCron>[0], string]>([
    ["no time and no cron", { days: ["mon"] }, "Say when"],
    ["a time that is not one", { time: "9am" }, "not a time of day"],
    ["25 o'clock", { time: "25:00" }, "not a time of day"],
    ["both a cron and a time", { cron: "0 9 * * *", time: "09:00" }, "not both"],
    ["a malformed cron", { cron: "0 9 * *" }, "has 4 fields"],
  ])("refuses %s, saying how to fix it", (_, input, message) => {
    expect(digestCron(input)).toEqual({ error: expect.stringContaining(message) });
  });

  it("is sent at most once an hour, and must come round at all", () => {
    const from = at("2026-12-01T12:00:00Z");
    expect(cadenceProblem(cron("0 * * * *"), from, "UTC")).toBeNull();
    expect(cadenceProblem(cron("0 9 * * MON-FRI"), from, "Europe/Berlin")).toBeNull();
    expect(cadenceProblem(cron("0,30 9 * * *"), from, "UTC")).toContain("at most once an hour");
    expect(cadenceProblem(cron("*/5 * * * *"), from, "UTC")).toContain("at most once an hour");
    expect(cadenceProblem(cron("0 9 31 2 *"), from, "UTC")).toContain("never comes round");
  });

  it.each([
    ["0 9 * * MON-FRI", "weekdays at 09:00"],
    ["30 7 * * *", "every day at 07:30"],
    ["0 18 * * MON,WED,FRI", "mon, wed, fri at 18:00"],
    ["0 9 1 * *", 'cron "0 9 1 * *"'],
  ])("reads %s as %s", (text, words) => {
    expect(scheduleWords(text)).toBe(words);
  });
});

describe("when a digest is due next", () => {
  it.each([
    // 9:00 in Berlin on weekdays: 08:00 UTC before clocks go forward on Sunday 28 March 2027, 07:00 UTC after.
    ["0 9 * * MON-FRI", "Europe/Berlin", "2027-03-25T08:00:00Z", "2027-03-26T08:00:00.000Z"],
    ["0 9 * * MON-FRI", "Europe/Berlin", "2027-03-26T08:00:00Z", "2027-03-29T07:00:00.000Z"],
    ["0 9 * * MON-FRI", "Europe/Berlin", "2027-03-29T07:00:00Z", "2027-03-30T07:00:00.000Z"],
    // And back in October: 07:00 UTC on Friday, 08:00 UTC on Monday.
    ["0 9 * * MON-FRI", "Europe/Berlin", "2026-10-22T07:00:00Z", "2026-10-23T07:00:00.000Z"],
    ["0 9 * * MON-FRI", "Europe/Berlin", "2026-10-23T07:00:00Z", "2026-10-26T08:00:00.000Z"],
    // A run that was late (a pause, an outage) does not fire the missed ones: the next one is after now.
    ["0 9 * * *", "UTC", "2026-12-05T15:00:00Z", "2026-12-06T09:00:00.000Z"],
  ])("%s in %s after a run at %s: %s", (text, zone, now, next) => {
    expect(iso(nextDue(cron(text), zone, at(now)).at)).toBe(next);
  });

  it("tries a failed firing again with back-off, never past the next regular one", () => {
    const daily = cron("0 9 * * *");
    const now = at("2026-12-01T09:00:00Z");
    expect(nextDue(daily, "UTC", now, 1)).toEqual({ at: now + RETRY_FIRST_MS, failures: 1 });
    expect(nextDue(daily, "UTC", now, 3)).toEqual({ at: now + 4 * RETRY_FIRST_MS, failures: 3 });
    expect(nextDue(daily, "UTC", now, 9)).toEqual({ at: now + RETRY_MAX_MS, failures: 9 });
    // Ten minutes before the next firing: that firing covers the same messages, so no retry is set before it.
    const late = at("2026-12-02T08:50:00Z");
    expect(nextDue(daily, "UTC", late, 2)).toEqual({ at: at("2026-12-02T09:00:00Z"), failures: 0 });
  });
});

describe("what a subscription does now", () => {
  const NOW = at("2027-03-26T08:00:00Z");
  const due: DigestSnapshot = { nextDueAt: NOW, seenAt: NOW - 86_400_000, held: false };
  it.each<[string, Partial<DigestSnapshot>, ReturnType<typeof decideDigest>]>([
    ["due now: fire", {}, { action: "fire", wakeAt: NOW }],
    ["due a while ago: fire once", { nextDueAt: NOW - 3_600_000 }, { action: "fire", wakeAt: NOW }],
    ["not yet due: wait for it", { nextDueAt: NOW + 60_000 }, { action: "wait", wakeAt: NOW + 60_000 }],
    ["due while the bot is paused: skip, the schedule moves on", { held: true }, { action: "skip", wakeAt: NOW }],
    [
      "its owner idle for the limit, exactly: it ends, due or not",
      { nextDueAt: NOW + 60_000, seenAt: NOW - IDLE_LIMIT_MS },
      { action: "end_idle", wakeAt: NOW },
    ],
    [
      "its owner idle for the limit while paused: it ends",
      { seenAt: NOW - IDLE_LIMIT_MS - 1, held: true },
      { action: "end_idle", wakeAt: NOW },
    ],
    [
      "its owner turns idle before the next firing: wake then",
      { nextDueAt: NOW + 7 * 86_400_000, seenAt: NOW - IDLE_LIMIT_MS + 3_600_000 },
      { action: "wait", wakeAt: NOW + 3_600_000 },
    ],
  ])("%s", (_, change, expected) => {
    expect(decideDigest({ ...due, ...change }, NOW)).toEqual(expected);
  });
});

describe("the turn that writes a digest", () => {
  const message = (id: number, text: string) => ({
    id,
    createdAt: new Date(Date.UTC(2027, 2, 26, 7, id % 60)).toISOString(),
    text,
    creator: { id: 7, name: "Ada Lovelace" },
  });
  const input = {
    ownerName: "Grace Hopper",
    roomName: "Launch",
    focus: "",
    cut: false,
    linkPrefix: "/rooms/3/@",
    timeZone: "Europe/Berlin",
    endsAt: null,
    botName: "Digester",
  };

  it("gives exactly the span's messages, with ids to link and the room's permalink base", () => {
    const prompt = digestPrompt({ ...input, messages: [message(101, "ship Friday"), message(102, "QA is green")] });
    expect(prompt).toContain('"Launch"');
    expect(prompt).toContain("link each point to its message as /rooms/3/@<id>");
    expect(prompt).toContain("2 messages from Fri, Mar 26, 2027, 08:41 (Europe/Berlin)");
    expect(shownMessages(prompt)).toEqual([
      {
        id: 101,
        time: "08:41",
        from: "Ada Lovelace",
        text: "ship Friday",
        link: "/rooms/3/@101",
        day: "Friday, March 26, 2027",
      },
      {
        id: 102,
        time: "08:42",
        from: "Ada Lovelace",
        text: "QA is green",
        link: "/rooms/3/@102",
        day: "Friday, March 26, 2027",
      },
    ]);
    expect(prompt).not.toContain("too many");
  });

  it("keeps the newest messages within its bound and says how many earlier ones it left out", () => {
    const messages = Array.from({ length: 100 }, (_, i) => message(1000 + i, "x".repeat(1_400)));
    const prompt = digestPrompt({ ...input, messages });
    expect(prompt.length).toBeLessThan(DIGEST_PROMPT_CHARS + 2_000);
    const ids = shownMessages(prompt).map((shown) => shown.id);
    expect(ids.at(-1)).toBe(1099);
    expect(prompt).toContain(`${100 - ids.length} earlier messages were too many to include`);
  });

  it("says earlier messages were left out when the span was longer than one read", () => {
    const prompt = digestPrompt({ ...input, cut: true, messages: [message(5, "the latest")] });
    expect(prompt).toContain("1 message from");
    expect(prompt).toContain("earlier messages since the last digest were too many to include");
  });

  it("says in its owner's last week when it will stop, and how to keep it", () => {
    const prompt = digestPrompt({ ...input, messages: [message(1, "hi")], endsAt: at("2027-04-01T08:00:00Z") });
    expect(prompt).toContain(
      "stops after Thu, Apr 1, 2027, 10:00 (Europe/Berlin) unless Grace Hopper talks to Digester",
    );
  });
});
