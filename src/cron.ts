import { wallTime, zonedToUtc } from "./zoned-time";

/** A five-field cron expression (minute hour day-of-month month day-of-week), each field as the set it allows. */
export interface Cron {
  minutes: number[];
  hours: number[];
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Cron's rule: when both day fields are restricted, a day matching either one fires. */
  eitherDay: boolean;
}

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 7 },
] as const;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Far enough for any expression that fires at all (29 February on a Monday comes round within 28 years). */
const SEARCH_DAYS = 366 * 28;

function parseField(text: string, { name, min, max }: (typeof FIELDS)[number]): number[] | string {
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) return `the ${name} field "${text}" is not a number, a range (a-b), a list (a,b), * or a step (*/n)`;
    const from = match[1] === "*" ? min : Number(match[2]);
    const to = match[1] === "*" ? max : match[3] !== undefined ? Number(match[3]) : match[4] ? max : from;
    const step = match[4] ? Number(match[4]) : 1;
    if (from < min || to > max || from > to || step < 1)
      return `the ${name} field "${text}" must stay within ${min}–${max}`;
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

/** Reads a cron expression as Cloudflare's Cron Triggers take it (numbers, not names); an error says what is wrong. */
export function parseCron(text: string): Cron | { error: string } {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5)
    return { error: `"${text}" has ${fields.length} fields; a cron has five: minute hour day-of-month month weekday` };
  const parsed: number[][] = [];
  for (const [index, field] of fields.entries()) {
    const values = parseField(field, FIELDS[index]!);
    if (typeof values === "string") return { error: `In "${text}", ${values}.` };
    parsed.push(values);
  }
  const [minutes, hours, days, months, weekdays] = parsed as [number[], number[], number[], number[], number[]];
  return {
    minutes,
    hours,
    days: new Set(days),
    months: new Set(months),
    // 7 is Sunday too.
    weekdays: new Set(weekdays.map((day) => day % 7)),
    eitherDay: fields[2] !== "*" && fields[4] !== "*",
  };
}

function dayMatches(cron: Cron, wallDay: Date): boolean {
  if (!cron.months.has(wallDay.getUTCMonth() + 1)) return false;
  const day = cron.days.has(wallDay.getUTCDate());
  const weekday = cron.weekdays.has(wallDay.getUTCDay());
  return cron.eitherDay ? day || weekday : day && weekday;
}

/** The wall times (as if UTC) of one wall day's firings, in order. */
function firingsOf(cron: Cron, wallDay: number): number[] {
  return cron.hours.flatMap((hour) => cron.minutes.map((minute) => wallDay + hour * 3_600_000 + minute * MINUTE_MS));
}

/**
 * The first instant after `after` at which `cron` fires, read on clocks in `timeZone` (so "0 9 * * 1-5" in
 * Europe/Berlin is 07:00 UTC in summer and 08:00 UTC in winter); null if it never fires (e.g. 31 February).
 */
export function nextFire(cron: Cron, after: number, timeZone = "UTC"): number | null {
  const startDay = Math.floor(wallTime(after, timeZone) / DAY_MS) * DAY_MS;
  for (let day = startDay; day < startDay + SEARCH_DAYS * DAY_MS; day += DAY_MS) {
    if (!dayMatches(cron, new Date(day))) continue;
    for (const wall of firingsOf(cron, day)) {
      const instant = zonedToUtc(wall, timeZone);
      if (instant > after) return instant;
    }
  }
  return null;
}

/** The last instant at or before `atOrBefore` at which `cron` fired, on clocks in `timeZone`; null if never. */
export function previousFire(cron: Cron, atOrBefore: number, timeZone = "UTC"): number | null {
  const startDay = Math.floor(wallTime(atOrBefore, timeZone) / DAY_MS) * DAY_MS;
  for (let day = startDay; day > startDay - SEARCH_DAYS * DAY_MS; day -= DAY_MS) {
    if (!dayMatches(cron, new Date(day))) continue;
    for (const wall of firingsOf(cron, day).reverse()) {
      const instant = zonedToUtc(wall, timeZone);
      if (instant <= atOrBefore) return instant;
    }
  }
  return null;
}
