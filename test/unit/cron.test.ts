import { describe, expect, it } from "vitest";
import { type Cron, nextFire, parseCron, previousFire } from "../../src/cron";

const cron = (text: string): Cron => {
  const parsed = parseCron(text);
  if ("error" in parsed) throw new Error(parsed.error);
  return parsed;
};
const at = (iso: string) => Date.parse(iso);
const iso = (instant: number | null) => (instant === null ? null : new Date(instant).toISOString());

describe("when a cron fires next", () => {
  it.each([
    // expression, time zone, after, next firing
    ["30 8 * * 1-5", "UTC", "2026-12-01T08:29:00Z", "2026-12-01T08:30:00.000Z"],
    ["30 8 * * 1-5", "UTC", "2026-12-01T08:30:00Z", "2026-12-02T08:30:00.000Z"],
    // Friday after the firing: Monday next.
    ["30 8 * * 1-5", "UTC", "2026-12-04T09:00:00Z", "2026-12-07T08:30:00.000Z"],
    ["*/15 * * * *", "UTC", "2026-12-01T10:07:00Z", "2026-12-01T10:15:00.000Z"],
    ["0 0 1 1 *", "UTC", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00.000Z"],
    // 9:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer, on either side of the change.
    ["0 9 * * 1-5", "Europe/Berlin", "2026-10-23T12:00:00Z", "2026-10-26T08:00:00.000Z"],
    ["0 9 * * 1-5", "Europe/Berlin", "2026-10-22T12:00:00Z", "2026-10-23T07:00:00.000Z"],
    ["0 9 * * *", "Europe/Berlin", "2027-03-27T12:00:00Z", "2027-03-28T07:00:00.000Z"],
    ["0 9 * * *", "America/New_York", "2026-12-01T15:00:00Z", "2026-12-02T14:00:00.000Z"],
    // Day of month and weekday both given: either one.
    ["0 12 13 * 5", "UTC", "2026-12-01T00:00:00Z", "2026-12-04T12:00:00.000Z"],
    // 7 is Sunday as well as 0.
    ["0 6 * * 7", "UTC", "2026-12-01T00:00:00Z", "2026-12-06T06:00:00.000Z"],
    ["0 0 31 2 *", "UTC", "2026-12-01T00:00:00Z", null],
  ])("%s in %s after %s: %s", (expression, timeZone, after, next) => {
    expect(iso(nextFire(cron(expression), at(after), timeZone))).toBe(next);
  });
});

describe("when a cron last fired", () => {
  it.each([
    ["30 8 * * 1-5", "UTC", "2026-12-01T08:30:00Z", "2026-12-01T08:30:00.000Z"],
    ["30 8 * * 1-5", "UTC", "2026-12-01T08:29:59Z", "2026-11-30T08:30:00.000Z"],
    // Monday morning before the firing: the Friday before.
    ["30 8 * * 1-5", "UTC", "2026-12-07T08:00:00Z", "2026-12-04T08:30:00.000Z"],
    ["0 9 * * 1", "Europe/Berlin", "2026-11-02T12:00:00Z", "2026-11-02T08:00:00.000Z"],
    ["0 9 * * 1", "Europe/Berlin", "2026-10-26T07:59:00Z", "2026-10-19T07:00:00.000Z"],
  ])("%s in %s at or before %s: %s", (expression, timeZone, before, previous) => {
    expect(iso(previousFire(cron(expression), at(before), timeZone))).toBe(previous);
  });
});

describe("reading a cron", () => {
  it.each([
    ["30 8 * *", "has 4 fields"],
    ["60 8 * * *", 'minute field "60" must stay within 0–59'],
    ["0 9 * * mon", 'day of week field "mon" is not a number'],
    ["0 9-7 * * *", 'hour field "9-7" must stay within 0–23'],
    ["*/0 * * * *", "must stay within"],
  ])("refuses %s: %s", (expression, reason) => {
    const parsed = parseCron(expression);
    expect("error" in parsed && parsed.error).toContain(reason);
  });
});
