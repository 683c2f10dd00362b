import { describe, expect, it } from "vitest";
import { checkTitle, dayIn, isDay, MAX_TITLE_CHARS, parseDue, showDay } from "../../src/memory/task-rules";

// Wednesday 2 December 2026, 23:30 UTC: already Thursday 3 December in Berlin, still Wednesday in New York.
const NOW = Date.parse("2026-12-02T23:30:00Z");

describe("a task's title", () => {
  it.each<[string, string, string | RegExp]>([
    ["a plain title, trimmed", "  send the Q3 numbers ", "send the Q3 numbers"],
    ["exactly the longest allowed", "x".repeat(MAX_TITLE_CHARS), "x".repeat(MAX_TITLE_CHARS)],
    ["emoji joined by zero-width joiners", "thank 👩‍💻 team", "thank 👩‍💻 team"],
    ["one character too long", "x".repeat(MAX_TITLE_CHARS + 1), /is 201 characters long; .* at most 200/],
    ["empty", "   ", /title is empty/],
    ["two lines", "send the numbers\nand the deck", /contains U\+000A.*one line/],
    ["a right-to-left override", "pay \u202Eecnarusni", /contains U\+202E/],
    ["a zero-width space", "call\u200Bthe printer", /contains U\+200B/],
  ])("%s", (_, raw, expected) => {
    const checked = checkTitle(raw);
    if (typeof expected === "string") expect(checked).toEqual({ title: expected });
    else expect("error" in checked ? checked.error : "").toMatch(expected);
  });
});

describe("a due date, read in the bot's time zone", () => {
  it.each<[string, string, string, string | null]>([
    ["today in Berlin is already Thursday", "today", "Europe/Berlin", "2026-12-03"],
    ["today in New York is still Wednesday", "today", "America/New_York", "2026-12-02"],
    ["tomorrow", "Tomorrow", "Europe/Berlin", "2026-12-04"],
    ["a weekday later this week", "Friday", "Europe/Berlin", "2026-12-04"],
    ["the weekday it is today means next week's", "thursday", "Europe/Berlin", "2026-12-10"],
    ["a short weekday", "mon", "Europe/Berlin", "2026-12-07"],
    ["a relative number of days", "in 3 days", "Europe/Berlin", "2026-12-06"],
    ["a relative number of weeks", "in 2 weeks", "UTC", "2026-12-16"],
    ["an ISO day", "2026-12-24", "Europe/Berlin", "2026-12-24"],
    ["a leap day", "2028-02-29", "UTC", "2028-02-29"],
    ["none clears it", "none", "UTC", null],
    ["nothing clears it", "  ", "UTC", null],
  ])("%s: %s", (_, text, timeZone, due) => {
    expect(parseDue(text, NOW, timeZone)).toEqual({ due });
  });

  it.each<[string, string, string, RegExp]>([
    [
      "yesterday's day",
      "2026-12-02",
      "Europe/Berlin",
      /Wed 2026-12-02 is in the past: today is Thu 2026-12-03 \(Europe\/Berlin\)/,
    ],
    ["a day that does not exist", "2026-02-30", "UTC", /not a due date I understand; give a day as 2026-12-04/],
    ["words it does not read", "end of the quarter", "UTC", /not a due date I understand/],
    ["a date-time instead of a day", "2026-12-24T09:00", "UTC", /not a due date I understand/],
    ["more than five years ahead", "2032-12-24", "UTC", /more than 5 years ahead/],
  ])("refuses %s", (_, text, timeZone, error) => {
    const parsed = parseDue(text, NOW, timeZone);
    expect("error" in parsed ? parsed.error : "").toMatch(error);
  });
});

describe("calendar days", () => {
  it("know which days exist", () => {
    expect(["2026-12-31", "2028-02-29"].map(isDay)).toEqual([true, true]);
    expect(["2027-02-29", "2026-13-01", "2026-12-4", "26-12-04"].map(isDay)).toEqual([false, false, false, false]);
  });

  it("are the day it is in the time zone, and are shown with their weekday", () => {
    expect(dayIn(NOW, "Asia/Tokyo")).toBe("2026-12-03");
    expect(dayIn(NOW, "UTC")).toBe("2026-12-02");
    expect(showDay("2026-12-04")).toBe("Fri 2026-12-04");
  });
});
