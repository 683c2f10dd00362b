import { describe, expect, it } from "vitest";
import {
  afterTurn,
  type CachePlan,
  type CacheSnapshot,
  type CacheTtl,
  cachePlan,
  GAPS_KEPT,
  type Rhythm,
  readRhythm,
  storedRhythm,
} from "../../src/conversation/cache-ttl";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const S = 1_000;
const MIN = 60 * S;
const H = 60 * MIN;

/** A snapshot `since` after the last turn, with these recent gaps; a day's defaults otherwise. */
const at = (since: number | null, gaps: number[], more: Partial<CacheSnapshot> = {}): CacheSnapshot => ({
  rhythm: { at: since === null ? null : NOW - since, gaps },
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
      "a new conversation's first turn: written for the burst that usually follows, the system prompt for the day",
      at(null, []),
      plan("1h", "5m", "5m"),
    ],
    [
      "a turn a minute after the last in a bursty room: the history kept for the hour, the turn's words for 5 minutes",
      at(1 * MIN, bursty),
      plan("1h", "1h", "5m"),
    ],
    [
      "a turn after a 20-minute pause: still read from the 1-hour history",
      at(20 * MIN, bursty),
      plan("1h", "1h", "5m"),
    ],
    ["59 minutes after the last turn: the 1-hour entries still live", at(59 * MIN, bursty), plan("1h", "1h", "5m")],
    [
      "a turn after a 2-hour break in a bursty room: the history written again, for 5 minutes",
      at(2 * H, bursty),
      plan("1h", "5m", "5m"),
    ],
    [
      "just short of the hour, within the margin for the turn's own length: the history no longer lives",
      at(H - 10 * S, bursty),
      plan("1h", "5m", "5m"),
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

  it("never puts a 1-hour breakpoint after a 5-minute one, whatever the snapshot (the API refuses it)", () => {
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
      );
      const set = Object.values(cachePlan(snapshot)).filter((ttl): ttl is CacheTtl => ttl !== null);
      for (let b = 1; b < set.length; b++) expect(rank[set[b]!]).toBeLessThanOrEqual(rank[set[b - 1]!]);
    }
  });
});

describe("the rhythm a conversation keeps for it", () => {
  it("records the idle gap before each turn but the first, and when the turn last asked the model", () => {
    const first = afterTurn({ at: null, gaps: [] }, NOW, NOW + 5 * S);
    expect(first).toEqual({ at: NOW + 5 * S, gaps: [] });
    expect(afterTurn(first, NOW + 65 * S, NOW + 70 * S)).toEqual({ at: NOW + 70 * S, gaps: [60 * S] });
  });

  it(`keeps only the last ${GAPS_KEPT} gaps`, () => {
    let rhythm: Rhythm = { at: NOW, gaps: [] };
    for (let turn = 1; turn <= GAPS_KEPT + 5; turn++)
      rhythm = afterTurn(rhythm, rhythm.at! + turn * S, rhythm.at! + turn * S);
    expect(rhythm.gaps).toHaveLength(GAPS_KEPT);
    expect(rhythm.gaps.at(-1)).toBe((GAPS_KEPT + 5) * S);
  });

  it("is stored in whole seconds and read back; nothing stored, or something unreadable, is no turns yet", () => {
    expect(readRhythm(storedRhythm({ at: NOW, gaps: [61_400, 1_200_000] }))).toEqual({
      at: NOW,
      gaps: [61_000, 1_200_000],
    });
    expect(readRhythm(null)).toEqual({ at: null, gaps: [] });
    expect(readRhythm("not json")).toEqual({ at: null, gaps: [] });
  });
});
