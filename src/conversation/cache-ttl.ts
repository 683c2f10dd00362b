/**
 * How long the prompt cache keeps a conversation, chosen per breakpoint and per turn from the conversation's own
 * rhythm. A cache entry lives 5 minutes (written at 1.25× the input price) or 1 hour (2×) after its last read; team
 * chat comes in bursts, pauses of minutes and breaks of hours, so the right choice depends on what comes next.
 */
export type CacheTtl = "5m" | "1h";

/** The ttl of each breakpoint a turn sets, in request order; null sets none there. Tool rounds' own is always 5 m. */
export interface CachePlan {
  system: CacheTtl | null;
  history: CacheTtl | null;
  turn: CacheTtl | null;
}

/** When the conversation last asked the model, and the idle gaps before its recent turns (oldest first), in ms. */
export interface Rhythm {
  at: number | null;
  gaps: number[];
}

/** What the plan is chosen from: one read of the conversation, like `decide`'s snapshot. */
export interface CacheSnapshot {
  rhythm: Rhythm;
  now: number;
  /** The conversation is forgotten this long after its last activity, and its history with it. */
  ttlMs: number;
  /** When a reminder is next due; its person often answers it. Null when none waits. */
  nextReminderAt: number | null;
  /** The history was trimmed this turn, so all of it is written again. */
  historyTrimmed: boolean;
}

const FIVE_MINUTES = 5 * 60_000;
const HOUR = 60 * 60_000;
/** An entry's life counts from the previous turn's last request, a little before the turn ended. */
const MARGIN_MS = 30_000;
/** How many gaps the conversation keeps: a few bursts' worth. */
export const GAPS_KEPT = 12;
/**
 * What a conversation with few turns yet is assumed to be like, as if these gaps had been seen: team chat, mostly
 * bursts, pauses now and then, a break or so a day.
 */
const PRIOR = { short: 1.8, pause: 0.9, long: 0.3 };

/** The cost of writing, per token, relative to sending it uncached; a read costs 0.1. */
const WRITE = { "5m": 1.25, "1h": 2 };
const READ = 0.1;

/**
 * The plan for this turn's breakpoints, a pure function of the snapshot (tested by a table).
 *
 * A turn soon after the last one (within the hour) reads nearly everything and writes only the newest exchange,
 * so the history's breakpoint is kept for an hour: 0.75× more on a few hundred tokens, against writing the whole
 * history again after any pause of 5 – 60 minutes. The turn's own words are kept for an hour only when a pause is
 * likely enough to be the next gap. A turn after a break writes everything: 5 m if the next gap is likely short, 1 h
 * if it is likely a pause, nothing if it is likely another break. 1-hour breakpoints always come before 5-minute ones.
 */
export function cachePlan({ rhythm, now, ttlMs, nextReminderAt, historyTrimmed }: CacheSnapshot): CachePlan {
  // Forgotten before 5 minutes are up: nothing of the conversation is read after that.
  if (ttlMs <= FIVE_MINUTES) return { system: "5m", history: "5m", turn: "5m" };
  const next = nextGap(rhythm.gaps, nextReminderAt === null ? null : nextReminderAt - now);
  const warm = historyWarm(rhythm, now);
  // The turn's words are read after a pause if kept for an hour; otherwise written again, with the history, at 1 h.
  const turn = WRITE["1h"] + next.pause * READ < WRITE["5m"] + next.pause * WRITE["1h"] ? "1h" : "5m";
  if (warm && !historyTrimmed) return { system: "1h", history: "1h", turn };
  const everything = freshWrite(next);
  // The system prompt (with the tools) is the same all day whoever speaks: kept for the hour whenever the turn caches
  // anything, and still read when only the history was trimmed.
  return {
    system: everything || warm ? "1h" : null,
    history: everything,
    turn: everything === "1h" ? turn : everything,
  };
}

/** Whether the turn comes soon enough after the last (within the hour) that the history is still in the cache. */
export function historyWarm(rhythm: Rhythm, now: number): boolean {
  return rhythm.at !== null && now - rhythm.at < HOUR - MARGIN_MS;
}

/** How likely the next gap is short (under 5 minutes), a pause (under an hour) or a break, from the recent ones. */
function nextGap(gaps: number[], reminderInMs: number | null): { short: number; pause: number; long: number } {
  const seen = { ...PRIOR };
  const observed =
    reminderInMs !== null && reminderInMs >= 0 && reminderInMs < HOUR - MARGIN_MS ? [...gaps, reminderInMs] : gaps;
  for (const gap of observed)
    seen[gap < FIVE_MINUTES - MARGIN_MS ? "short" : gap < HOUR - MARGIN_MS ? "pause" : "long"]++;
  const total = seen.short + seen.pause + seen.long;
  return { short: seen.short / total, pause: seen.pause / total, long: seen.long / total };
}

/**
 * Writing everything: the choice with the lowest expected cost of this write and of the next turn's use of it — a
 * read while the entry lives, else (about) a 5-minute write again.
 */
function freshWrite(next: { short: number; pause: number; long: number }): CacheTtl | null {
  const cost = (write: number, livesThrough: number) => write + livesThrough * READ + (1 - livesThrough) * WRITE["5m"];
  const choices: [CacheTtl | null, number][] = [
    [null, cost(1, 0)],
    ["5m", cost(WRITE["5m"], next.short)],
    ["1h", cost(WRITE["1h"], next.short + next.pause)],
  ];
  return choices.reduce((best, choice) => (choice[1] < best[1] ? choice : best))[0];
}

/** The rhythm after a turn that started at `startedAt` and last asked the model at `endedAt`. */
export function afterTurn(rhythm: Rhythm, startedAt: number, endedAt: number): Rhythm {
  const gaps =
    rhythm.at === null ? rhythm.gaps : [...rhythm.gaps, Math.max(0, startedAt - rhythm.at)].slice(-GAPS_KEPT);
  return { at: endedAt, gaps };
}

/** The rhythm as the conversation row keeps it: `at` and the gaps in whole seconds, as JSON. */
export function storedRhythm(rhythm: Rhythm): string {
  return JSON.stringify({ at: rhythm.at, gaps: rhythm.gaps.map((gap) => Math.round(gap / 1000)) });
}

/** The stored rhythm read back; none yet (or unreadable) is a conversation with no turns. */
export function readRhythm(stored: string | null): Rhythm {
  try {
    const value = JSON.parse(stored ?? "null") as { at?: unknown; gaps?: unknown } | null;
    const at = typeof value?.at === "number" ? value.at : null;
    const gaps = Array.isArray(value?.gaps)
      ? value.gaps.filter((gap): gap is number => typeof gap === "number").map((gap) => gap * 1000)
      : [];
    return { at, gaps };
  } catch {
    return { at: null, gaps: [] };
  }
}
