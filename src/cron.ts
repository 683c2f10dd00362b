import { wallTime, zonedToUtc } from "./zoned-time";

/**
 * A five-field cron expression (minute hour day-of-month month day-of-week) read as Cloudflare's Cron Triggers read
 * it, each field as the set it allows. Cloudflare numbers weekdays 1–7 from Sunday (Quartz's way, not Unix's 0–6):
 * "10 7 * * 2-6" is Monday to Friday, the same as "10 7 * * MON-FRI".
 */
export interface Cron {
  minutes: number[];
  hours: number[];
  days: Set<number>;
  months: Set<number>;
  /** As JavaScript numbers them: 0 is Sunday. */
  weekdays: Set<number>;
  /** Cron's rule: when both day fields are restricted, a day matching either one fires. */
  eitherDay: boolean;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS = [
  { name: "minute", min: 0, max: 59, names: [] },
  { name: "hour", min: 0, max: 23, names: [] },
  { name: "day of month", min: 1, max: 31, names: [] },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day of week", min: 1, max: 7, names: WEEKDAYS },
] as const;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Far enough for any expression that fires at all (29 February on a Monday comes round within 28 years). */
const SEARCH_DAYS = 366 * 28;

/** A field's value: a number, or a three-letter name counted from the field's lowest value (JAN = 1, SUN = 1). */
function fieldValue(token: string, field: (typeof FIELDS)[number]): number {
  const named = (field.names as readonly string[]).indexOf(token.toUpperCase());
  return named >= 0 ? field.min + named : /^\d+$/.test(token) ? Number(token) : Number.NaN;
}

function parseField(text: string, field: (typeof FIELDS)[number]): number[] | string {
  const { name, min, max } = field;
  // Quartz's extras: "L" (last), "15W" (nearest weekday), "6#3" (third Friday), "?".
  if (/[#?]|(^|[\d,-])L|\dW/i.test(text))
    return `the ${name} field "${text}" uses L, W, # or ?, which Cloudflare accepts but this bot cannot work out the next run of; list the days instead`;
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const match = /^(\*|([0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) return `the ${name} field "${text}" is not a number, a range (a-b), a list (a,b), * or a step (*/n)`;
    const from = match[1] === "*" ? min : fieldValue(match[2]!, field);
    const to = match[1] === "*" ? max : match[3] !== undefined ? fieldValue(match[3], field) : match[4] ? max : from;
    const step = match[4] ? Number(match[4]) : 1;
    if (Number.isNaN(from) || Number.isNaN(to))
      return `the ${name} field "${text}" names no ${name}${field.names.length ? ` (use ${field.names[0]}–${field.names.at(-1)} or numbers)` : ""}`;
    if (name === "day of week" && (from === 0 || to === 0))
      return `the day of week field "${text}" has 0, but Cloudflare counts weekdays 1–7 from Sunday (1 = SUN, 2 = MON … 7 = SAT); write SUN, or names like MON-FRI`;
    if (from < min || to > max || from > to || step < 1)
      return `the ${name} field "${text}" must stay within ${min}–${max}`;
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

/** Reads a cron expression as Cloudflare's Cron Triggers take it; an error says what is wrong and how to write it. */
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
    weekdays: new Set(weekdays.map((day) => day - 1)),
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
 * The first instant after `after` at which `cron` fires, read on clocks in `timeZone` (so "0 9 * * MON-FRI" in
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
