import { describe, expect, it } from "vitest";
import { costOf, estimateOf } from "../../src/budget/cost";
import {
  type Applicable,
  budgetsFor,
  type CounterState,
  decideReserve,
  periodsAt,
  refusalSentence,
  resetPhrase,
  startOfDay,
  toMicros,
  warningSentence,
} from "../../src/budget/policy";
import { type ConfigEnv, loadConfig } from "../../src/config";
import type { Price } from "../../src/config/prices";
import { usageOf } from "../../src/objects/claude";
import { withoutNotices } from "../../src/conversation/spend";

// Round numbers, so each row's dollars can be checked by eye.
const PRICE: Price = { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.2, webSearchPer1000: 10 };

describe("what a turn's usage costs", () => {
  it.each([
    ["a million input tokens", { input: 1e6, output: 0, cacheRead: 0, cacheWrite: 0 }, 2],
    ["a million output tokens", { input: 0, output: 1e6, cacheRead: 0, cacheWrite: 0 }, 10],
    ["a million tokens read from the cache", { input: 0, output: 0, cacheRead: 1e6, cacheWrite: 0 }, 0.2],
    ["a million tokens written to the 5-minute cache", { input: 0, output: 0, cacheRead: 0, cacheWrite: 1e6 }, 2.5],
    [
      "a million cache writes, a quarter of them for an hour",
      { input: 0, output: 0, cacheRead: 0, cacheWrite: 1e6, cacheWrite1h: 250_000 },
      0.75 * 2.5 + 0.25 * 4,
    ],
    ["three web searches", { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, webSearches: 3 }, 0.03],
    [
      "a typical steady turn",
      { input: 40, output: 300, cacheRead: 2_000, cacheWrite: 500, webSearches: 1 },
      (40 * 2 + 300 * 10 + 2_000 * 0.2 + 500 * 2.5) / 1e6 + 0.01,
    ],
  ])("%s", (_, usage, dollars) => {
    expect(costOf(usage, PRICE)).toBeCloseTo(dollars, 12);
  });

  it("estimates a turn as its whole request written to the cache and an answer of max_tokens", () => {
    expect(estimateOf(2_000, 1_024, PRICE)).toBeCloseTo((2_000 * 2.5 + 1_024 * 10) / 1e6, 12);
  });

  it("reads the cache writes by lifetime and the web searches from Anthropic's usage", () => {
    const usage = {
      input_tokens: 10,
      output_tokens: 20,
      cache_read_input_tokens: 30,
      cache_creation_input_tokens: 40,
      cache_creation: { ephemeral_5m_input_tokens: 25, ephemeral_1h_input_tokens: 15 },
      server_tool_use: { web_search_requests: 2, web_fetch_requests: 1 },
      inference_geo: null,
      output_tokens_details: null,
      service_tier: "standard",
      speed: null,
    } as const;
    expect(usageOf(usage)).toEqual({
      input: 10,
      output: 20,
      cacheRead: 30,
      cacheWrite: 40,
      cacheWrite1h: 15,
      webSearches: 2,
    });
    // Without either, the usage is the four counts it always was.
    expect(usageOf({ ...usage, cache_creation: null, server_tool_use: null })).toEqual({
      input: 10,
      output: 20,
      cacheRead: 30,
      cacheWrite: 40,
    });
  });
});

const at = (iso: string) => Date.parse(iso);

describe("budget periods in the bot's time zone", () => {
  it.each([
    [
      "one second before midnight in Berlin (winter)",
      "2026-11-25T22:59:59Z",
      "Europe/Berlin",
      "d:2026-11-25",
      "m:2026-11",
      "2026-11-25T23:00:00Z",
      "2026-11-30T23:00:00Z",
    ],
    [
      "midnight in Berlin, still the 25th in UTC",
      "2026-11-25T23:00:00Z",
      "Europe/Berlin",
      "d:2026-11-26",
      "m:2026-11",
      "2026-11-26T23:00:00Z",
      "2026-11-30T23:00:00Z",
    ],
    [
      "the last second of November in Berlin",
      "2026-11-30T22:59:59Z",
      "Europe/Berlin",
      "d:2026-11-30",
      "m:2026-11",
      "2026-11-30T23:00:00Z",
      "2026-11-30T23:00:00Z",
    ],
    [
      "the first second of December in Berlin",
      "2026-11-30T23:00:00Z",
      "Europe/Berlin",
      "d:2026-12-01",
      "m:2026-12",
      "2026-12-01T23:00:00Z",
      "2026-12-31T23:00:00Z",
    ],
    [
      "New Year in Berlin",
      "2026-12-31T23:00:00Z",
      "Europe/Berlin",
      "d:2027-01-01",
      "m:2027-01",
      "2027-01-01T23:00:00Z",
      "2027-01-31T23:00:00Z",
    ],
    [
      "midnight in Berlin in summer time",
      "2026-07-31T22:00:00Z",
      "Europe/Berlin",
      "d:2026-08-01",
      "m:2026-08",
      "2026-08-01T22:00:00Z",
      "2026-08-31T22:00:00Z",
    ],
    [
      "the day Berlin's clocks go forward is 23 hours long",
      "2026-03-29T12:00:00Z",
      "Europe/Berlin",
      "d:2026-03-29",
      "m:2026-03",
      "2026-03-29T22:00:00Z",
      "2026-03-31T22:00:00Z",
    ],
    [
      "New York, still the evening before",
      "2026-12-01T03:00:00Z",
      "America/New_York",
      "d:2026-11-30",
      "m:2026-11",
      "2026-12-01T05:00:00Z",
      "2026-12-01T05:00:00Z",
    ],
    ["UTC", "2026-02-28T23:59:59Z", "UTC", "d:2026-02-28", "m:2026-02", "2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"],
  ])("%s", (_, now, zone, day, month, dayEnds, monthEnds) => {
    expect(periodsAt(at(now), zone)).toEqual({ day, month, dayEndsAt: at(dayEnds), monthEndsAt: at(monthEnds) });
  });

  it("starts a day whose midnight the clocks skip when they land (Santiago, 2026-09-06 begins at 01:00)", () => {
    expect(startOfDay(2026, 9, 6, "America/Santiago")).toBe(at("2026-09-06T04:00:00Z"));
  });
});

const limits = { dailyUsd: 20, monthlyUsd: 300, perPersonDailyUsd: 2, perRoomDailyUsd: 5 };
const NOW = at("2026-11-25T10:00:00Z");

describe("which budgets a turn is held to", () => {
  it("holds it to each budget that is set, the narrowest first, each on its own counter", () => {
    const kinds = budgetsFor(limits, NOW, "Europe/Berlin", 7, 42).map(({ kind, key, limitMicros }) => [
      kind,
      key.period,
      key.scope,
      key.id,
      limitMicros,
    ]);
    expect(kinds).toEqual([
      ["person", "d:2026-11-25", "person", "7", 2_000_000],
      ["room", "d:2026-11-25", "room", "42", 5_000_000],
      ["daily", "d:2026-11-25", "bot", "", 20_000_000],
      ["monthly", "m:2026-11", "bot", "", 300_000_000],
    ]);
  });

  it.each([
    ["only the room's", { perRoomDailyUsd: 5 }, 7, ["room"]],
    ["only the month", { monthlyUsd: 300 }, 7, ["monthly"]],
    ["a scheduled turn speaks for no one: no person's budget", limits, null, ["room", "daily", "monthly"]],
    ["none", {}, 7, []],
  ])("%s", (_, set, person, kinds) => {
    expect(budgetsFor(set, NOW, "UTC", person, 42).map((budget) => budget.kind)).toEqual(kinds);
  });
});

/** The four budgets with what is committed to each and whether their notice was given. */
function counters(
  committed: Partial<Record<Applicable["kind"], number>>,
  warned: Applicable["kind"][] = [],
): CounterState[] {
  return budgetsFor(limits, NOW, "Europe/Berlin", 7, 42).map((budget) => ({
    ...budget,
    committedMicros: toMicros(committed[budget.kind] ?? 0),
    warned: warned.includes(budget.kind),
  }));
}

describe("reserving a turn's estimate", () => {
  const estimate = toMicros(0.5);
  const outcome = (decision: ReturnType<typeof decideReserve>) =>
    "refused" in decision
      ? `refused by ${decision.refused.kind}`
      : `crossed ${decision.crossed.map((c) => c.kind).join(",") || "none"}`;

  it.each([
    ["nothing spent", {}, [], "crossed none"],
    ["up to the limit exactly", { room: 4.5 }, ["room"], "crossed none"],
    ["a cent past the room's limit", { room: 4.51 }, [], "refused by room"],
    [
      "past both the person's and the room's: the narrowest is named",
      { person: 1.6, room: 4.6 },
      [],
      "refused by person",
    ],
    ["past only the month", { monthly: 299.6 }, [], "refused by monthly"],
    ["already over, by a turn that cost more than its estimate", { daily: 20.3 }, [], "refused by daily"],
    ["reaching 80 % of the room's day", { room: 3.5 }, [], "crossed room"],
    ["just short of 80 %", { room: 3.49 }, [], "crossed none"],
    ["80 % again, after the notice was given", { room: 3.9 }, ["room"], "crossed none"],
    ["80 % of two at once", { person: 1.2, daily: 15.6 }, [], "crossed person,daily"],
  ])("%s", (_, committed, warned, expected) => {
    expect(outcome(decideReserve(counters(committed, warned as Applicable["kind"][]), estimate))).toBe(expected);
  });
});

describe("what the room is told", () => {
  const names = { bot: "Assistant", person: "Ada Lovelace" };

  it.each([
    [
      "room",
      5,
      "d:2026-11-25",
      "Today's budget for Assistant in this room ($5.00) is spent; it resets at 00:00 Europe/Berlin.",
    ],
    [
      "person",
      2,
      "d:2026-11-25",
      "Today's budget for Assistant for Ada Lovelace ($2.00) is spent; it resets at 00:00 Europe/Berlin.",
    ],
    ["daily", 20, "d:2026-11-25", "Today's budget for Assistant ($20.00) is spent; it resets at 00:00 Europe/Berlin."],
    [
      "monthly",
      300,
      "m:2026-11",
      "This month's budget for Assistant ($300.00) is spent; it resets on 1 December at 00:00 Europe/Berlin.",
    ],
    [
      "monthly",
      0.5,
      "m:2026-12",
      "This month's budget for Assistant ($0.50) is spent; it resets on 1 January at 00:00 Europe/Berlin.",
    ],
  ] as const)("refused by the %s budget of $%s", (kind, limit, period, sentence) => {
    expect(refusalSentence(kind, limit, period, "Europe/Berlin", names)).toBe(sentence);
  });

  it("notes 80 % in one short line, which the transcript leaves out", () => {
    const notice = warningSentence("room", 5, "d:2026-11-25", "Europe/Berlin", names);
    expect(notice).toBe(
      "_(80 % of today's budget for Assistant in this room ($5.00) is used; it resets at 00:00 Europe/Berlin.)_",
    );
    expect(withoutNotices(`The answer.\n\n${notice}`)).toBe("The answer.");
    expect(withoutNotices("An answer that quotes _(80 % of nothing)_ in passing.")).toBe(
      "An answer that quotes _(80 % of nothing)_ in passing.",
    );
  });

  it("says when a month resets", () => {
    expect(resetPhrase("monthly", "m:2026-02", "UTC")).toBe("on 1 March at 00:00 UTC");
    expect(resetPhrase("daily", "d:2026-02-28", "UTC")).toBe("at 00:00 UTC");
  });
});

describe("budget settings", () => {
  const env = (bots: unknown, extra: Record<string, unknown> = {}) =>
    ({
      CAMPFIRE_URL: "https://chat.example.com",
      SESSION_TTL: "",
      BOTS: bots,
      ANTHROPIC_API_KEY: "sk-test",
      BOT_KEY_A: "1-key",
      BOT_KEY_B: "2-key",
      ...extra,
    }) as ConfigEnv;

  it("reads any subset of the four limits, with the model's price", () => {
    const bot = loadConfig(env({ a: { name: "A", budget: { daily_usd: 20, per_room_daily_usd: 5 } } })).bots.get("a")!;
    expect(bot.budget).toEqual({ dailyUsd: 20, perRoomDailyUsd: 5 });
    expect(bot.price).toMatchObject({
      input: 2,
      output: 10,
      cacheWrite5m: 2.5,
      cacheWrite1h: 4,
      cacheRead: 0.2,
      webSearchPer1000: 10,
    });
    expect(loadConfig(env({ a: { name: "A" } })).bots.get("a")!.budget).toBeNull();
  });

  it.each([
    [
      "a budget whose model has no price",
      { a: { name: "A", model: "claude-new-9", budget: { daily_usd: 5 } } },
      {},
      /BOTS\.a\.budget: the model "claude-new-9" has no price.*\[vars\.PRICES\."claude-new-9"\] with input = and output =/,
    ],
    [
      "a budget on a bot that consults an unpriced one",
      { a: { name: "A", consult: ["b"], budget: { daily_usd: 5 } }, b: { name: "B", model: "claude-new-9" } },
      {},
      /BOTS\.a\.budget: it consults "b", whose model "claude-new-9" has no price/,
    ],
    [
      "a limit that is not positive",
      { a: { name: "A", budget: { daily_usd: 0 } } },
      {},
      /BOTS\.a\.budget\.daily_usd: must be a positive amount of US dollars/,
    ],
    ["a limit with a typo", { a: { name: "A", budget: { dayly_usd: 5 } } }, {}, /BOTS\.a\.budget: .*dayly_usd/],
    [
      "a price without its output",
      { a: { name: "A" } },
      { PRICES: { "claude-new-9": { input: 3 } } },
      /PRICES\.claude-new-9\.output/,
    ],
  ])("reports %s in /health's problems", (_, bots, extra, problem) => {
    expect(loadConfig(env(bots, extra)).problems.join("\n")).toMatch(problem);
  });

  it("takes a model's price from PRICES, the cache at the usual multiples unless given", () => {
    const config = loadConfig(
      env(
        { a: { name: "A", model: "claude-new-9", budget: { daily_usd: 5 } } },
        { PRICES: JSON.stringify({ "claude-new-9": { input: 3, output: 15, cache_read: 0.25 } }) },
      ),
    );
    expect(config.problems).toEqual([]);
    expect(config.bots.get("a")!.price).toEqual({
      input: 3,
      output: 15,
      cacheWrite5m: 3.75,
      cacheWrite1h: 6,
      cacheRead: 0.25,
      webSearchPer1000: 10,
    });
  });
});
