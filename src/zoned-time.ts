import { kept } from "./keep";

/** The UTC instant at which clocks in `timeZone` show the wall time `wall` (given as if it were UTC). */
export function zonedToUtc(wall: number, timeZone: string): number {
  let guess = wall;
  // Twice, because the offset at the first guess may differ across a daylight-saving change.
  for (let i = 0; i < 2; i++) guess = wall - offsetAt(guess, timeZone);
  return guess;
}

/** What clocks in `timeZone` show at `instant`, as if that wall time were UTC (whole seconds). */
export function wallTime(instant: number, timeZone: string): number {
  return Math.floor(instant / 1000) * 1000 + offsetAt(instant, timeZone);
}

/** One formatter per time zone: making one costs far more than using it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function offsetAt(instant: number, timeZone: string): number {
  const format = kept(
    formatters,
    timeZone,
    () =>
      new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      }),
  );
  const parts = Object.fromEntries(
    format.formatToParts(new Date(instant)).map((part) => [part.type, Number(part.value)]),
  );
  const shown = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return shown - Math.floor(instant / 1000) * 1000;
}
