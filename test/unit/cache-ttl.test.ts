import { describe, expect, it } from "vitest";
import {
  afterTurn,
  type CachePlan,
  type CacheSnapshot,
  type CacheTtl,
  cachePlan,
  cacheToolRound,
  GAPS_KEPT,
  LOOSE_MAX,
  type Rhythm,
  ROUNDS_KEPT,
  readRhythm,
  storedRhythm,
  type TurnOutcome,
} from "../../src/conversation/cache-ttl";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const S = 1_000;
const MIN = 60 * S;
const H = 60 * MIN;

/**
 * A snapshot `since` after the last turn, with these recent gaps, the last turn having cached its history for the
 * hour (only its question loose); a day's defaults otherwise.
 */
const at = (
  since: number | null,
  gaps: number[],
  more: Partial<CacheSnapshot> = {},
  rhythm: Partial<Rhythm> = {},
): CacheSnapshot => ({
  rhythm: { at: since === null ? null : NOW - since, gaps, cached: true, loose: 1, rounds: [], ...rhythm },
  now: NOW,
  ttlMs: 24 * H,
  nextReminderAt: null,
  historyTrimmed: false,
  ...more,
});

const bursty = [40 * S, 90 * S, 30 * S, 25 * MIN, 50 * S, 70 * S, 2 * H, 20 * S, 60 * S];
const everyTwentyMinutes = [20 * MIN, 18 * MIN, 25 * MIN, 22 * MIN, 19 * MIN, 30 * MIN];
const everyFewHours = [3 * H, 2 * H, 4 * H, 2.5 * H, 3 * H, 2 * H, 5 * H, 3 * H];
const plan = (system: CachePlan["system"], history: CachePlan["history"], turn: CachePlan["turn"]): CachePlan => ({
  system,
  history,
  turn,
});

describe("cachePlan: which breakpoints live 1 hour and which 5 minutes", () => {
  it.each<[string, CacheSnapshot, CachePlan]>([
    [
      "a new conversation's first turn: written for the burst that usually follows, the system prompt with it (while the history lives it is read as part of it)",
      at(null, []),
      plan("5m", "5m", "5m"),
    ],
    [
      "a minute after a turn that kept its history for the hour, in a bursty room: the newest messages for 5 minutes, as a pause is unlikely and would cost only them",
      at(1 * MIN, bursty),
      plan("1h", "5m", "5m"),
    ],
    [
      "a minute after a turn that kept even its history for 5 minutes: the history kept for the hour, or a pause would cost five messages",
      at(1 * MIN, bursty, {}, { loose: 3 }),
      plan("1h", "1h", "5m"),
    ],
    [
      "a minute after a first turn written for 5 minutes: no 1-hour entry holds anything, so the history is kept for the hour",
      at(1 * MIN, bursty, {}, { loose: null }),
      plan("1h", "1h", "5m"),
    ],
    [
      "a turn after a 20-minute pause: read from the 1-hour history; what the last turn left loose written again for 5 minutes",
      at(20 * MIN, bursty),
      plan("1h", "5m", "5m"),
    ],
    [
      "a 20-minute pause after many messages left loose: all of them written for the hour, or the next pause would find no entry within the 20 blocks a read looks back",
      at(20 * MIN, bursty, {}, { loose: 7 }),
      plan("1h", "1h", "5m"),
    ],
    [
      "a 20-minute pause after a turn that kept nothing for the hour: nothing lives, so everything is written afresh",
      at(20 * MIN, bursty, {}, { loose: null }),
      plan("5m", "5m", "5m"),
    ],
    ["59 minutes after the last turn: the 1-hour entries still live", at(59 * MIN, bursty), plan("1h", "5m", "5m")],
    [
      "a turn after a 2-hour break in a bursty room: everything written again, for 5 minutes",
      at(2 * H, bursty),
      plan("5m", "5m", "5m"),
    ],
    [
      "just short of the hour, within the margin for the turn's own length: the history no longer lives",
      at(H - 10 * S, bursty),
      plan("5m", "5m", "5m"),
    ],
    [
      "the last turn's prompt was under the model's cacheable minimum (nothing cached): written afresh, as after a break",
      at(1 * MIN, bursty, {}, { cached: false }),
      plan("5m", "5m", "5m"),
    ],
    [
      "a break in a room that speaks every 20 minutes: everything written for the hour",
      at(2 * H, everyTwentyMinutes),
      plan("1h", "1h", "1h"),
    ],
    [
      "soon after the last turn in a room that speaks every 20 minutes: the turn's words kept for the hour too",
      at(2 * MIN, everyTwentyMinutes),
      plan("1h", "1h", "1h"),
    ],
    [
      "a break in a room that speaks every few hours: nothing is worth writing",
      at(3 * H, everyFewHours),
      plan(null, null, null),
    ],
    [
      "a session TTL of 2 minutes: the conversation is forgotten before a 1-hour entry could be read",
      at(1 * MIN, everyTwentyMinutes, { ttlMs: 2 * MIN }),
      plan("5m", "5m", "5m"),
    ],
    [
      "history trimmed this turn: the system prompt is still read, the history is written afresh",
      at(1 * MIN, bursty, { historyTrimmed: true }),
      plan("1h", "5m", "5m"),
    ],
  ])("%s", (_, snapshot, expected) => {
    expect(cachePlan(snapshot)).toEqual(expected);
  });

  it("keeps the turn's words for the hour when a reminder is due in the next half hour tips the room toward a pause", () => {
    const gaps = [30 * S, 40 * S, 25 * MIN, 30 * MIN, 35 * MIN, 50 * S, 60 * S];
    expect(cachePlan(at(1 * MIN, gaps)).turn).toBe("5m");
    expect(cachePlan(at(1 * MIN, gaps, { nextReminderAt: NOW + 30 * MIN })).turn).toBe("1h");
    // A reminder days away says nothing about the next gap.
    expect(cachePlan(at(1 * MIN, gaps, { nextReminderAt: NOW + 3 * 24 * H })).turn).toBe("5m");
  });

  it("never puts a 1-hour breakpoint after a 5-minute one (the API refuses it), nor leaves more messages loose than a read looks back over, whatever the snapshot", () => {
    const rank = { "1h": 2, "5m": 1 } as const;
    let state = 7;
    const random = () => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state / 2 ** 31;
    };
    const anyGap = () => [10 * S, 3 * MIN, 20 * MIN, 55 * MIN, 2 * H, 6 * H][Math.floor(random() * 6)]!;
    for (let i = 0; i < 2_000; i++) {
      const snapshot = at(
        random() < 0.1 ? null : anyGap(),
        Array.from({ length: Math.floor(random() * GAPS_KEPT) }, anyGap),
        {
          ttlMs: [2 * MIN, 30 * MIN, 24 * H][Math.floor(random() * 3)]!,
          nextReminderAt: random() < 0.3 ? NOW + anyGap() : null,
          historyTrimmed: random() < 0.2,
        },
        {
          cached: random() < 0.9,
          loose: random() < 0.2 ? null : Math.floor(random() * (LOOSE_MAX + 1)),
        },
      );
      const chosen = cachePlan(snapshot);
      const set = Object.values(chosen).filter((ttl): ttl is CacheTtl => ttl !== null);
      for (let b = 1; b < set.length; b++) expect(rank[set[b]!]).toBeLessThanOrEqual(rank[set[b - 1]!]);
      const after = afterTurn(snapshot.rhythm, {
        startedAt: NOW,
        endedAt: NOW + 5 * S,
        cached: true,
        plan: chosen,
        historyTrimmed: snapshot.historyTrimmed,
        toolRounds: 0,
      });
      expect(after.loose ?? 0).toBeLessThanOrEqual(LOOSE_MAX);
    }
  });
});

describe("cacheToolRound: whether a turn's newest tool results get the loop's breakpoint", () => {
  it.each<[string, number[], number, boolean]>([
    ["a conversation that has not used tools yet, after one round: no (most turns answer after one)", [], 1, false],
    ["turns that always answered after one round: no, that write would never be read", [1, 1, 1, 1, 1, 1], 1, false],
    ["turns that went on to a second round one time in two: after the first round, yes", [1, 2, 2, 1], 1, true],
    ["the same turns after their second round, when none went on to a third: no", [1, 2, 2, 1], 2, false],
    ["turns that chain many rounds: yes, round after round", [4, 5, 4, 6], 3, true],
  ])("%s", (_, rounds, done, expected) => {
    expect(cacheToolRound(rounds, done)).toBe(expected);
  });
});

const turn = (startedAt: number, more: Partial<TurnOutcome> = {}): TurnOutcome => ({
  startedAt,
  endedAt: startedAt + 5 * S,
  cached: true,
  plan: plan("1h", "1h", "5m"),
  historyTrimmed: false,
  toolRounds: 0,
  ...more,
});

describe("the rhythm a conversation keeps for it", () => {
  it("records the idle gap before each turn but the first, when the turn last asked the model, and whether it cached", () => {
    const first = afterTurn(readRhythm(null), turn(NOW, { plan: plan("5m", "5m", "5m") }));
    expect(first).toEqual({ at: NOW + 5 * S, gaps: [], cached: true, loose: null, rounds: [] });
    const second = afterTurn(first, turn(NOW + 65 * S, { cached: false }));
    expect(second).toEqual({ at: NOW + 70 * S, gaps: [60 * S], cached: false, loose: 1, rounds: [] });
  });

  it.each<[string, Rhythm["loose"], Partial<TurnOutcome>, Rhythm["loose"]]>([
    ["its words kept for the hour: nothing loose", 3, { plan: plan("1h", "1h", "1h") }, 0],
    ["its history kept for the hour: only its own question loose", null, { plan: plan("1h", "1h", "5m") }, 1],
    [
      "read from the cache and kept 5 minutes: the answer before it and its question loose too",
      1,
      { plan: plan("1h", "5m", "5m") },
      3,
    ],
    [
      "read and kept 5 minutes with more loose than the 20 blocks a read looks back over: as if nothing were held",
      7,
      { plan: plan("1h", "5m", "5m") },
      null,
    ],
    [
      "written afresh for 5 minutes: no 1-hour entry holds the history",
      1,
      { plan: plan("5m", "5m", "5m"), startedAt: NOW + 2 * H },
      null,
    ],
    ["trimmed and written for 5 minutes: the same", 1, { plan: plan("1h", "5m", "5m"), historyTrimmed: true }, null],
    ["nothing written: the same", 1, { plan: plan(null, null, null), startedAt: NOW + 3 * H }, null],
  ])("leaves messages loose past the newest 1-hour entry: %s", (_, loose, record, expected) => {
    const rhythm: Rhythm = { at: NOW, gaps: [], cached: true, loose, rounds: [] };
    expect(afterTurn(rhythm, turn(NOW + MIN, record)).loose).toBe(expected);
  });

  it(`keeps only the last ${GAPS_KEPT} gaps, and the tool rounds of the last ${ROUNDS_KEPT} turns that used tools`, () => {
    let rhythm: Rhythm = readRhythm(null);
    for (let n = 1; n <= GAPS_KEPT + 5; n++)
      rhythm = afterTurn(
        rhythm,
        turn((rhythm.at ?? NOW) + n * S, { endedAt: (rhythm.at ?? NOW) + n * S, toolRounds: n % 3 }),
      );
    expect(rhythm.gaps).toHaveLength(GAPS_KEPT);
    expect(rhythm.gaps.at(-1)).toBe((GAPS_KEPT + 5) * S);
    expect(rhythm.rounds).toHaveLength(ROUNDS_KEPT);
    expect(rhythm.rounds).not.toContain(0);
    expect(rhythm.rounds.at(-1)).toBe((GAPS_KEPT + 5) % 3 || 1);
  });

  it("is stored in whole seconds and read back; nothing stored, or something unreadable, is no turns yet", () => {
    const kept: Rhythm = { at: NOW, gaps: [61_400, 1_200_000], cached: false, loose: null, rounds: [2, 1] };
    expect(readRhythm(storedRhythm(kept))).toEqual({ ...kept, gaps: [61_000, 1_200_000] });
    const none: Rhythm = { at: null, gaps: [], cached: false, loose: null, rounds: [] };
    expect(readRhythm(null)).toEqual(none);
    expect(readRhythm("not json")).toEqual(none);
  });

  it("reads a rhythm stored before it said what was cached as the policy then left it: cached, its history held for the hour", () => {
    expect(readRhythm(JSON.stringify({ at: NOW, gaps: [61] }))).toEqual({
      at: NOW,
      gaps: [61_000],
      cached: true,
      loose: 1,
      rounds: [],
    });
  });
});
