const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?|\.\d+)\s*([smhd]?)$/i;

/**
 * Parses a human duration — `90s`, `5m`, `1.5h`, `2d`, or plain seconds (`3600`) — into milliseconds.
 * Returns an error sentence instead of throwing so callers can report which setting was wrong.
 */
export function parseDuration(text: string): { ms: number } | { error: string } {
  const match = DURATION.exec(text.trim());
  if (!match) {
    return { error: `"${text}" is not a duration; write it like 90s, 5m, 1.5h, 2d or a number of seconds` };
  }
  const unit = (match[2] || "s").toLowerCase() as keyof typeof UNIT_MS;
  const ms = Math.round(Number(match[1]) * UNIT_MS[unit]);
  if (ms < 1_000) return { error: `"${text}" is shorter than one second; use at least 1s` };
  return { ms };
}

/** Formats milliseconds the way people write them in settings: `90s`, `5m`, `1.5h`, `2d`. */
export function formatDuration(ms: number): string {
  for (const unit of ["d", "h", "m"] as const) {
    const value = ms / UNIT_MS[unit];
    if (value >= 1) return `${Number(value.toFixed(2))}${unit}`;
  }
  return `${Number((ms / 1_000).toFixed(2))}s`;
}
