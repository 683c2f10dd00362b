import { kept } from "../keep";
import { invisibleIn } from "./paths";

/** A task's title holds at most this many characters, on one line. */
export const MAX_TITLE_CHARS = 200;
/** A person's list holds at most this many open tasks… */
export const MAX_OPEN_TASKS = 100;
/** …and keeps this many done ones, the most recently done; older ones are dropped as more are done. */
export const MAX_DONE_KEPT = 100;
/** How far ahead a due date may be. */
export const MAX_DUE_YEARS = 5;

/** A title as stored (trimmed), or a sentence saying what is wrong with it. */
export function checkTitle(raw: string): { title: string } | { error: string } {
  const title = raw.trim();
  if (title === "") return { error: "The title is empty; say in a few words what is to be done." };
  const chars = [...title].length;
  if (chars > MAX_TITLE_CHARS)
    return {
      error: `The title is ${chars} characters long; a task's title holds at most ${MAX_TITLE_CHARS}. Shorten it to what is to be done.`,
    };
  const code = invisibleIn(title);
  if (code)
    return {
      error: `The title contains ${code}, a line break, control or invisible formatting character; write it on one line with visible characters only.`,
    };
  return { title };
}

/** A calendar day written as people and SQLite both sort it: 2026-12-04. */
export type Day = string;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is a real calendar day in YYYY-MM-DD form (2026-02-30 is not). */
export function isDay(text: string): boolean {
  const match = DAY.exec(text);
  if (!match) return false;
  const [y, m, d] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const dayNumber = (day: Day) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;
const fromNumber = (n: number): Day => new Date(n * 86_400_000).toISOString().slice(0, 10);
export const addDays = (day: Day, days: number): Day => fromNumber(dayNumber(day) + days);

// One formatter per time zone for the isolate's life: building one costs more than using it.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day it is at `instant` in `timeZone`. */
export function dayIn(instant: number, timeZone: string): Day {
  const format = kept(
    formatters,
    timeZone,
    () => new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }),
  );
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const weekdayOf = (day: Day) => new Date(`${day}T00:00:00Z`).getUTCDay();

const SHORT = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** A day as the list shows it: "Fri 2026-12-04". */
export const showDay = (day: Day): string => `${SHORT[weekdayOf(day)]} ${day}`;

/**
 * Reads a due date in the bot's time zone: "today", "tomorrow", a weekday ("Friday", "fri": the next one, never
 * today), "in 3 days", "in 2 weeks", or 2026-12-04. "none" (or nothing) means no due date. A day before today, or
 * more than MAX_DUE_YEARS ahead, is refused, and so is anything else, with a sentence Claude can act on.
 */
export function parseDue(text: string, now: number, timeZone: string): { due: Day | null } | { error: string } {
  const words = text.trim().toLowerCase().replace(/\s+/g, " ");
  if (words === "" || words === "none") return { due: null };
  const today = dayIn(now, timeZone);
  let due: Day | null = null;
  if (words === "today") due = today;
  else if (words === "tomorrow") due = addDays(today, 1);
  else if (isDay(words)) due = words;
  else {
    const weekday = WEEKDAYS.findIndex((name) => words === name || (words.length >= 3 && name.startsWith(words)));
    const relative = /^in (\d{1,4}) (day|week)s?$/.exec(words);
    if (weekday !== -1) due = addDays(today, ((weekday - weekdayOf(today) + 6) % 7) + 1);
    else if (relative) due = addDays(today, Number(relative[1]) * (relative[2] === "week" ? 7 : 1));
  }
  if (due === null)
    return {
      error: `"${text.slice(0, 60)}" is not a due date I understand; give a day as 2026-12-04, or today, tomorrow, a weekday such as Friday, or "in 3 days".`,
    };
  if (due < today) return { error: `${showDay(due)} is in the past: today is ${showDay(today)} (${timeZone}).` };
  const latest = addDays(today, MAX_DUE_YEARS * 365);
  if (due > latest) return { error: `${showDay(due)} is more than ${MAX_DUE_YEARS} years ahead; give an earlier day.` };
  return { due };
}
