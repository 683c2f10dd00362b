const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 };

/**
 * Reads a reminder time: relative (`in 10 minutes`, `in 2 hours`, `in 3 days`) or an ISO date-time. An ISO
 * time without an offset (`2026-11-25T09:00`) is read in the bot's time zone, as people mean it.
 */
export function parseWhen(text: string, now: Date, timeZone: string): number | null {
  const relative = /^in\s+(\d+(?:\.\d+)?)\s*(minute|hour|day|week)s?$/i.exec(text.trim());
  if (relative) return now.getTime() + Number(relative[1]) * UNIT_MS[relative[2]!.toLowerCase()]!;
  const local = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (local) {
    const [y, mo, d, h, mi, s] = local.slice(1).map((part) => Number(part ?? 0)) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return zonedToUtc(Date.UTC(y, mo - 1, d, h, mi, s), timeZone);
  }
  const absolute = Date.parse(text);
  return /[zZ]|[+-]\d{2}:?\d{2}$/.test(text.trim()) && !Number.isNaN(absolute) ? absolute : null;
}

/** The UTC instant at which clocks in `timeZone` show the wall time `wall` (given as if it were UTC). */
function zonedToUtc(wall: number, timeZone: string): number {
  let guess = wall;
  // Twice, because the offset at the first guess may differ across a daylight-saving change.
  for (let i = 0; i < 2; i++) guess = wall - offsetAt(guess, timeZone);
  return guess;
}

function offsetAt(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(new Date(instant))
      .map((part) => [part.type, Number(part.value)]),
  );
  const shown = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return shown - Math.floor(instant / 1000) * 1000;
}

export function formatWhen(instant: number, timeZone: string): string {
  return (
    new Date(instant).toLocaleString("en-US", {
      timeZone,
      weekday: "short",
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
    }) + ` (${timeZone})`
  );
}
