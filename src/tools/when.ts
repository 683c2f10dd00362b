import { zonedToUtc } from "../zoned-time";

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

export function formatWhen(instant: number, timeZone: string): string {
  return `${new Date(instant).toLocaleString("en-US", {
    timeZone,
    weekday: "short",
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  })} (${timeZone})`;
}
