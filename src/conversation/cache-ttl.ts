/**
 * How long the prompt cache keeps a conversation, chosen per breakpoint and per turn from the conversation's own
 * rhythm. A cache entry lives 5 minutes (written at 1.25× the input price) or 1 hour (2×) after its last read; team
 * chat comes in bursts, pauses of minutes and breaks of hours, so the right choice depends on what comes next.
 */
export type CacheTtl = "5m" | "1h";

/** The ttl of each breakpoint a turn sets, in request order; null sets none there. */
export interface CachePlan {
  system: CacheTtl | null;
  history: CacheTtl | null;
  turn: CacheTtl | null;
}

/** What the conversation keeps of its recent turns for the plan (in the conversation's row). */
export interface Rhythm {
  /** When the last turn last asked the model. */
  at: number | null;
  /** The idle gaps before its recent turns, oldest first, in ms. */
  gaps: number[];
  /** Whether the last turn's requests read or wrote the cache at all (a prompt under the model's minimum is not). */
  cached: boolean;
  /**
   * How many messages (questions and answers) the last turn left past the newest 1-hour entry, its own question
   * included and its answer not: what a pause makes the next turn write again. Null: no 1-hour entry a read can
   * reach holds the history, so none of it outlives 5 minutes.
   */
  loose: number | null;
  /** The tool rounds of its recent turns that used tools, oldest first. */
  rounds: number[];
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

/** What a turn did, for the rhythm the next one plans from. */
export interface TurnOutcome {
  startedAt: number;
  /** When it last asked the model. */
  endedAt: number;
  /** Whether its requests' usage showed any cache read or write. */
  cached: boolean;
  plan: CachePlan;
  historyTrimmed: boolean;
  /** Its tool rounds (model calls after the first). */
  toolRounds: number;
}

const FIVE_MINUTES = 5 * 60_000;
const HOUR = 60 * 60_000;
/** An entry's life counts from the previous turn's last request, a little before the turn ended. */
const MARGIN_MS = 30_000;
/** How many gaps the conversation keeps: a few bursts' worth. */
export const GAPS_KEPT = 12;
/** How many turns' tool rounds it keeps. */
export const ROUNDS_KEPT = 12;
/**
 * What a conversation with few turns yet is assumed to be like, as if these gaps had been seen: team chat, mostly
 * bursts, pauses now and then, a break or so a day.
 */
const PRIOR = { short: 1.8, pause: 0.9, long: 0.3 };
/**
 * A read only looks back 20 blocks from a breakpoint for an entry, and a message is up to two blocks: more loose
 * messages than this and a pause would find no 1-hour entry at all.
 */
export const LOOSE_MAX = 8;
/** Before a conversation shows how its tool rounds go, as if one turn in four that used a tool had gone on to another. */
const ROUND_PRIOR = { wentOn: 1, reached: 4 };

/** The cost of writing, per token, relative to sending it uncached; a read costs 0.1. */
const WRITE = { "5m": 1.25, "1h": 2 };
const READ = 0.1;

type Gap = "short" | "pause" | "long";
type Odds = Record<Gap, number>;
const gapOf = (gap: number): Gap =>
  gap < FIVE_MINUTES - MARGIN_MS ? "short" : gap < HOUR - MARGIN_MS ? "pause" : "long";

/**
 * The plan for this turn's breakpoints, a pure function of the snapshot (tested by a table).
 *
 * A turn that reads the history (soon after the last one) writes only the newest messages. Kept for the hour, they
 * are read after a pause of 5 – 60 minutes for 0.75× more now; kept 5 minutes, a pause means writing again all
 * that no 1-hour entry holds. So it takes the cheapest of (history 5 m, words 5 m), (1 h, 5 m) and (1 h, 1 h) for
 * how likely a pause is next. A turn after a break (or after 5 minutes, when no 1-hour entry held anything) writes
 * everything: 5 m if the next gap is likely short, 1 h if it is likely a pause, nothing if it is likely another
 * break. 1-hour breakpoints always come before 5-minute ones.
 */
export function cachePlan({ rhythm, now, ttlMs, nextReminderAt, historyTrimmed }: CacheSnapshot): CachePlan {
  // Forgotten before 5 minutes are up: nothing of the conversation is read after that.
  if (ttlMs <= FIVE_MINUTES) return { system: "5m", history: "5m", turn: "5m" };
  const next = nextGap(rhythm.gaps, nextReminderAt === null ? null : nextReminderAt - now);
  const warm = historyWarm(rhythm, now);
  if (warm && !historyTrimmed) return { system: "1h", ...warmWrite(rhythm, now, next.pause) };
  const everything = freshWrite(next);
  // Written afresh, the system prompt (with the tools) is worth keeping exactly as long as the rest: while the history
  // lives it is read as part of it. Still read, when only the history was trimmed, it is kept for the hour.
  return {
    system: warm ? "1h" : everything,
    history: everything,
    turn: everything === "1h" ? keepWords(next.pause) : everything,
  };
}

/** Whether the turn's own words, after a 1-hour history, are kept for the hour too: read, not written again, after a pause. */
const keepWords = (pause: number): CacheTtl => (pause * (WRITE["1h"] - READ) > WRITE["1h"] - WRITE["5m"] ? "1h" : "5m");

/**
 * The history's and the turn's ttls for a turn that reads the history, by expected cost counted in messages (a
 * question or an answer, taken as alike): what is written now beyond 1.25×, and, if a pause comes next, writing
 * again at 2× (not reading at 0.1×) what no 1-hour entry holds.
 */
function warmWrite(rhythm: Rhythm, now: number, pause: number): Pick<CachePlan, "history" | "turn"> {
  const burst = rhythm.at !== null && now - rhythm.at < FIVE_MINUTES - MARGIN_MS;
  // Within a burst the last turn's entries still live and only its answer is new; after a pause, what it left loose.
  const before = burst ? (rhythm.loose ?? 0) : 0;
  const written = burst ? 1 : (rhythm.loose ?? 0) + 1;
  const extra = WRITE["1h"] - WRITE["5m"];
  const lost = pause * (WRITE["1h"] - READ);
  const choices: [Pick<CachePlan, "history" | "turn">, number][] = [
    [{ history: "1h", turn: "5m" }, extra * written + lost],
    [{ history: "1h", turn: "1h" }, extra * (written + 1)],
  ];
  if (rhythm.loose !== null && before + written + 1 <= LOOSE_MAX)
    choices.push([{ history: "5m", turn: "5m" }, lost * (before + written + 1)]);
  return choices.reduce((best, choice) => (choice[1] < best[1] ? choice : best))[0];
}

/**
 * Whether this turn reads the history from the cache: the last turn cached it, and this one comes within 5 minutes,
 * or within the hour when a 1-hour entry holds it.
 */
export function historyWarm(rhythm: Rhythm, now: number): boolean {
  if (rhythm.at === null || !rhythm.cached) return false;
  return now - rhythm.at < (rhythm.loose === null ? FIVE_MINUTES : HOUR) - MARGIN_MS;
}

/** How likely the next gap is short (under 5 minutes), a pause (under an hour) or a break, from the recent ones. */
function nextGap(gaps: number[], reminderInMs: number | null): Odds {
  const seen = { ...PRIOR };
  const observed =
    reminderInMs !== null && reminderInMs >= 0 && reminderInMs < HOUR - MARGIN_MS ? [...gaps, reminderInMs] : gaps;
  for (const gap of observed) seen[gapOf(gap)]++;
  const total = seen.short + seen.pause + seen.long;
  return { short: seen.short / total, pause: seen.pause / total, long: seen.long / total };
}

/**
 * Writing everything: the choice with the lowest expected cost of this write and of the next turn's use of it — a
 * read while the entry lives, else (about) a 5-minute write again.
 */
function freshWrite(next: Odds): CacheTtl | null {
  const cost = (write: number, livesThrough: number) => write + livesThrough * READ + (1 - livesThrough) * WRITE["5m"];
  const choices: [CacheTtl | null, number][] = [
    [null, cost(1, 0)],
    ["5m", cost(WRITE["5m"], next.short)],
    ["1h", cost(WRITE["1h"], next.short + next.pause)],
  ];
  return choices.reduce((best, choice) => (choice[1] < best[1] ? choice : best))[0];
}

/**
 * Whether a turn's newest tool results get the tool loop's breakpoint after `done` rounds: a 5-minute write (1.25×
 * instead of 1×) pays only if yet another round reads them (0.1× instead of 1×), so only when this conversation's
 * recent turns went on past `done` rounds more than about one time in four.
 */
export function cacheToolRound(rounds: number[], done: number): boolean {
  const reached = rounds.filter((count) => count >= done).length + ROUND_PRIOR.reached;
  const wentOn = rounds.filter((count) => count > done).length + ROUND_PRIOR.wentOn;
  return WRITE["5m"] - 1 < (wentOn / reached) * (1 - READ);
}

/** The rhythm after a turn. */
export function afterTurn(rhythm: Rhythm, turn: TurnOutcome): Rhythm {
  const gaps =
    rhythm.at === null ? rhythm.gaps : [...rhythm.gaps, Math.max(0, turn.startedAt - rhythm.at)].slice(-GAPS_KEPT);
  const read = historyWarm(rhythm, turn.startedAt) && !turn.historyTrimmed;
  const { plan } = turn;
  // A 5-minute history adds the answer before this turn and its question to what was loose; written afresh, or
  // beyond what a read looks back over, nothing is held.
  const grown = read && rhythm.loose !== null ? rhythm.loose + 2 : null;
  const loose =
    plan.turn === "1h" ? 0 : plan.history === "1h" ? 1 : grown !== null && grown <= LOOSE_MAX ? grown : null;
  const rounds = turn.toolRounds > 0 ? [...rhythm.rounds, turn.toolRounds].slice(-ROUNDS_KEPT) : rhythm.rounds;
  return { at: turn.endedAt, gaps, cached: turn.cached, loose, rounds };
}

/** The rhythm as the conversation row keeps it, as JSON: the gaps in whole seconds. */
export function storedRhythm(rhythm: Rhythm): string {
  return JSON.stringify({ ...rhythm, gaps: rhythm.gaps.map((gap) => Math.round(gap / 1000)) });
}

const numbers = (value: unknown): number[] =>
  Array.isArray(value) ? value.filter((item): item is number => typeof item === "number") : [];

const NO_TURNS: Rhythm = { at: null, gaps: [], cached: false, loose: null, rounds: [] };

/** The stored rhythm read back; none yet (or unreadable) is a conversation with no turns. */
export function readRhythm(stored: string | null): Rhythm {
  try {
    const value = JSON.parse(stored ?? "null") as Partial<Record<keyof Rhythm, unknown>> | null;
    if (value === null || typeof value !== "object") return { ...NO_TURNS };
    return {
      at: typeof value.at === "number" ? value.at : null,
      gaps: numbers(value.gaps).map((gap) => gap * 1000),
      // Stored before these were kept: every turn cached, and held its history for the hour, as then.
      cached: value.cached !== false,
      loose: value.loose === null ? null : typeof value.loose === "number" ? value.loose : 1,
      rounds: numbers(value.rounds),
    };
  } catch {
    return { ...NO_TURNS };
  }
}
