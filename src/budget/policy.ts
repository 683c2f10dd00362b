import type { BudgetLimits } from "../config/budget";
import { wallTime, zonedToUtc } from "../zoned-time";

/** The four budgets a bot may have; a turn is checked against them in this order, the narrowest first. */
export type BudgetKind = "person" | "room" | "daily" | "monthly";

export type Scope = "bot" | "person" | "room";

/** One counter: what a scope committed in one period of the bot's time zone, a day (`d:2026-11-25`) or a month (`m:2026-11`). */
export interface CounterKey {
  period: string;
  scope: Scope;
  /** The person's or the room's Campfire id; "" for the bot. */
  id: string;
}

/** A budget that applies to a turn: its counter, its limit in micro-dollars, and when its period ends. */
export interface Applicable {
  kind: BudgetKind;
  key: CounterKey;
  limitMicros: number;
  endsAt: number;
}

/** Counters count millionths of a US dollar, in whole numbers, so sums and comparisons are exact. */
export const toMicros = (usd: number): number => Math.round(usd * 1_000_000);
export const toUsd = (micros: number): number => micros / 1_000_000;

/** Share of a budget at which the answer carries a notice, once per budget and period. */
export const WARN_SHARE = 0.8;

/** The wall-clock date and time at `at` in `timeZone`. */
function wallClock(at: number, timeZone: string) {
  const wall = new Date(wallTime(at, timeZone));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  };
}

/** The first instant of the local day `year-month-day` in `timeZone` (an overflowing month or day rolls over, as in Date.UTC). */
export function startOfDay(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  let at = zonedToUtc(wall, timeZone);
  // Where the clock jumps over midnight itself, the day begins when that jump lands.
  const target = new Date(wall).toISOString().slice(0, 10);
  for (let step = 0; step < 8 && dateKey(wallClock(at, timeZone)) < target; step++) at += 15 * 60_000;
  return at;
}

const pad = (n: number) => String(n).padStart(2, "0");
const dateKey = (clock: { year: number; month: number; day: number }) =>
  `${clock.year}-${pad(clock.month)}-${pad(clock.day)}`;

/** The day and the month `now` falls in, in the bot's time zone, with the instants they end. */
export function periodsAt(
  now: number,
  timeZone: string,
): { day: string; month: string; dayEndsAt: number; monthEndsAt: number } {
  const clock = wallClock(now, timeZone);
  return {
    day: `d:${dateKey(clock)}`,
    month: `m:${clock.year}-${pad(clock.month)}`,
    dayEndsAt: startOfDay(clock.year, clock.month, clock.day + 1, timeZone),
    monthEndsAt: startOfDay(clock.year, clock.month + 1, 1, timeZone),
  };
}

/**
 * The budgets a turn is held to, narrowest first: the asker's own day (not for a scheduled turn, which speaks for no
 * one), the room's day, the bot's day, the bot's month — each only when its limit is set.
 */
export function budgetsFor(
  limits: BudgetLimits,
  now: number,
  timeZone: string,
  personId: number | null,
  roomId: number,
): Applicable[] {
  const { day, month, dayEndsAt, monthEndsAt } = periodsAt(now, timeZone);
  const budgets: Applicable[] = [];
  const add = (kind: BudgetKind, limitUsd: number | undefined, key: CounterKey, endsAt: number) => {
    if (limitUsd !== undefined) budgets.push({ kind, key, limitMicros: toMicros(limitUsd), endsAt });
  };
  if (personId !== null && personId > 0)
    add("person", limits.perPersonDailyUsd, { period: day, scope: "person", id: String(personId) }, dayEndsAt);
  add("room", limits.perRoomDailyUsd, { period: day, scope: "room", id: String(roomId) }, dayEndsAt);
  add("daily", limits.dailyUsd, { period: day, scope: "bot", id: "" }, dayEndsAt);
  add("monthly", limits.monthlyUsd, { period: month, scope: "bot", id: "" }, monthEndsAt);
  return budgets;
}

/** A budget's counter as the reservation finds it: spent and held so far, and whether its 80 % notice was given. */
export interface CounterState extends Applicable {
  committedMicros: number;
  warned: boolean;
}

export type ReserveDecision = { refused: Applicable } | { crossed: Applicable[] };

/**
 * Whether a turn estimated at `estimateMicros` may start: refused by the first budget it would take past its limit;
 * otherwise the budgets it takes to 80 % or more for the first time this period, each to be noted once in the answer.
 */
export function decideReserve(counters: CounterState[], estimateMicros: number): ReserveDecision {
  const refusing = counters.find((counter) => counter.committedMicros + estimateMicros > counter.limitMicros);
  if (refusing) return { refused: refusing };
  return {
    crossed: counters.filter(
      (counter) => !counter.warned && counter.committedMicros + estimateMicros >= WARN_SHARE * counter.limitMicros,
    ),
  };
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** When a budget's period starts afresh, in words: "at 00:00 Europe/Berlin", or "on 1 December at 00:00 Europe/Berlin". */
export function resetPhrase(kind: BudgetKind, period: string, timeZone: string): string {
  if (kind !== "monthly") return `at 00:00 ${timeZone}`;
  const month = Number(period.slice(-2));
  return `on 1 ${MONTHS[month % 12]} at 00:00 ${timeZone}`;
}

/** Who a budget's words are about. */
export interface BudgetNames {
  bot: string;
  /** The asker, for their own budget. */
  person: string;
}

/** A budget by name: "Today's budget for Assistant in this room". */
export function budgetName(kind: BudgetKind, names: BudgetNames): string {
  switch (kind) {
    case "person":
      return `Today's budget for ${names.bot} for ${names.person}`;
    case "room":
      return `Today's budget for ${names.bot} in this room`;
    case "daily":
      return `Today's budget for ${names.bot}`;
    case "monthly":
      return `This month's budget for ${names.bot}`;
  }
}

export const formatUsd = (usd: number): string => `$${usd.toFixed(2)}`;

/** What the room is told instead of an answer: "Today's budget for Assistant in this room ($5.00) is spent; it resets at 00:00 Europe/Berlin." */
export function refusalSentence(
  kind: BudgetKind,
  limitUsd: number,
  period: string,
  timeZone: string,
  names: BudgetNames,
): string {
  return `${budgetName(kind, names)} (${formatUsd(limitUsd)}) is spent; it resets ${resetPhrase(kind, period, timeZone)}.`;
}

/** The line an answer carries when it takes a budget to 80 %. */
export function warningSentence(
  kind: BudgetKind,
  limitUsd: number,
  period: string,
  timeZone: string,
  names: BudgetNames,
): string {
  const name = budgetName(kind, names);
  return `_(${WARN_SHARE * 100} % of ${name[0]!.toLowerCase()}${name.slice(1)} (${formatUsd(limitUsd)}) is used; it resets ${resetPhrase(kind, period, timeZone)}.)_`;
}
