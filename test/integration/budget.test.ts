import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { costOf } from "../../src/budget/cost";
import type { ReserveAnswer } from "../../src/budget/counters";
import { type CounterKey, periodsAt, toMicros } from "../../src/budget/policy";
import { DEFAULT_PRICES } from "../../src/config/prices";
import { SCHEMA } from "../../src/conversation/schema";
import {
  ADMIN_TOKEN,
  campfirePayload,
  conversation,
  fakeAnthropic,
  fakeCampfire,
  newMessageId,
  newRoomId,
  pendingWork,
  postWebhook,
  type RecordedRequest,
  storedTranscript,
  TEST_KEYS,
} from "./helpers";

type BotId = keyof typeof TEST_KEYS;
const PRICE = DEFAULT_PRICES["claude-sonnet-5-5"]!;

const budgetOf = (botId: string) => env.BUDGETS.getByName(`budget:${botId}`);

async function send(bot: BotId, roomId: number, text: string, userId = 7, userName = "Ada Lovelace"): Promise<void> {
  const response = await postWebhook(campfirePayload({ roomId, text, key: TEST_KEYS[bot], userId, userName }), {
    botId: bot,
  });
  expect(response.status).toBe(204);
}

/** A posted message as the room reads it: tags gone, HTML escapes undone. */
const plain = (html: string) =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

/** What a counter holds, in micro-dollars; undefined when it has no row. */
function committed(botId: string, key: CounterKey): Promise<number | undefined> {
  return runInDurableObject(
    budgetOf(botId),
    (_, state) =>
      state.storage.sql
        .exec<{ c: number }>(
          "SELECT committed AS c FROM counters WHERE period = ? AND scope = ? AND scope_id = ?",
          key.period,
          key.scope,
          key.id,
        )
        .toArray()[0]?.c,
  );
}

/** Sets a counter as if earlier turns had spent `usd` of it. */
function seed(botId: string, key: CounterKey, usd: number): Promise<void> {
  return runInDurableObject(budgetOf(botId), (_, state) => {
    state.storage.sql.exec(
      "INSERT OR REPLACE INTO counters (period, scope, scope_id, committed, warned, ends_at) VALUES (?, ?, ?, ?, 0, ?)",
      key.period,
      key.scope,
      key.id,
      toMicros(usd),
      Date.now() + 86_400_000,
    );
  });
}

/** The reservation a conversation holds (micro-dollars held, its turn's real cost, its counters); null when none. */
function heldBy(roomId: number, botId: string): Promise<{ held: number; cost: number; rows: CounterKey[] } | null> {
  return runInDurableObject(conversation(roomId, botId), (_, state) => {
    const row = state.storage.sql
      .exec<{ rows: string | null; held: number; cost: number }>(
        "SELECT budget_rows AS rows, budget_held AS held, budget_cost AS cost FROM conversation",
      )
      .toArray()[0];
    return row?.rows ? { held: row.held, cost: row.cost, rows: JSON.parse(row.rows) as CounterKey[] } : null;
  });
}

/** What the fake model's recorded usage of a request costs, counted as the bot counts it. */
const costOfRequest = (request: RecordedRequest) => {
  const usage = request.usage as NonNullable<RecordedRequest["usage"]> & {
    output_tokens: number;
    cache_creation?: { ephemeral_1h_input_tokens: number };
  };
  // 1-hour cache writes are billed at 2× input, 5-minute ones at 1.25×, as the API reports them apart.
  const cacheWrite1h = usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  return toMicros(
    costOf(
      {
        input: usage.input_tokens,
        output: usage.output_tokens,
        cacheRead: usage.cache_read_input_tokens,
        cacheWrite: usage.cache_creation_input_tokens,
        cacheWrite1h,
      },
      PRICE,
    ),
  );
};

function endConversation(botId: string, roomId: number): Promise<Response> {
  return exports.default.fetch(
    new Request(`https://bot.example/admin/sessions/${botId}/${roomId}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    }),
  );
}

const nextMonth = () =>
  new Intl.DateTimeFormat("en", { month: "long", timeZone: "UTC" }).format(
    Date.UTC(2026, new Date().getUTCMonth() + 1, 1),
  );

/** A refusal case: the bot, its time zone, the limit, the counter that refuses, and the sentence the room gets. */
type Refusal = [
  string,
  BotId,
  string,
  number,
  (roomId: number, day: string, month: string) => CounterKey,
  () => string,
];

describe("a turn a budget does not allow", () => {
  it.each<Refusal>([
    [
      "the room's day",
      "budget_room",
      "Europe/Berlin",
      5,
      (roomId, day) => ({ period: day, scope: "room", id: String(roomId) }),
      () => "Today's budget for Assistant in this room ($5.00) is spent; it resets at 00:00 Europe/Berlin.",
    ],
    [
      "the person's day",
      "budget_person",
      "UTC",
      0.5,
      (_, day) => ({ period: day, scope: "person", id: "7" }),
      () => "Today's budget for Personal for Ada Lovelace ($0.50) is spent; it resets at 00:00 UTC.",
    ],
    [
      "the bot's day",
      "budget_daily",
      "America/New_York",
      1,
      (_, day) => ({ period: day, scope: "bot", id: "" }),
      () => "Today's budget for Daily ($1.00) is spent; it resets at 00:00 America/New_York.",
    ],
    [
      "the bot's month",
      "budget_monthly",
      "UTC",
      1,
      (_, __, month) => ({ period: month, scope: "bot", id: "" }),
      () => `This month's budget for Monthly ($1.00) is spent; it resets on 1 ${nextMonth()} at 00:00 UTC.`,
    ],
  ])(
    "is refused by %s: no model call, the room told once which budget and when it resets, nothing stored",
    async (_, bot, zone, limit, counterOf, sentence) => {
      const roomId = newRoomId();
      const { day, month } = periodsAt(Date.now(), zone);
      const counter = counterOf(roomId, day, month);
      // A tenth of a cent left: less than any turn's estimate.
      await seed(bot, counter, limit - 0.001);
      const marker = `refusedword-${roomId}`;
      await send(bot, roomId, `${marker} what is the capital of France?`);
      const [told] = await fakeCampfire.waitForMessages(roomId, 1);
      expect(plain(told!.body)).toBe(sentence());
      expect(await fakeAnthropic.requestsMentioning(marker)).toHaveLength(0);
      // Settled: nothing waits, nothing entered the transcript, the conversation holds no reservation, the counter is as it was.
      expect(await pendingWork(roomId, bot)).toBe(0);
      expect(await storedTranscript(roomId, bot)).toEqual([]);
      expect(await heldBy(roomId, bot)).toBeNull();
      expect(await committed(bot, counter)).toBe(toMicros(limit - 0.001));
      // Told once, and the 👀 is off the question again.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await fakeCampfire.messages(roomId)).toHaveLength(1);
      const boosts = (await (await fetch(`${env.CAMPFIRE_URL}/_fake/boosts?room=${roomId}`)).json()) as unknown[];
      expect(boosts).toEqual([]);
    },
  );

  it("is not started when its model has no price, and /health says how to add one", async () => {
    const health = (await (await exports.default.fetch("https://bot.example/health")).json()) as { problems: string[] };
    expect(health.problems.join("\n")).toMatch(
      /BOTS\.budget_unpriced\.budget: the model "claude-unpriced-1" has no price.*\[vars\.PRICES\."claude-unpriced-1"\]/,
    );
    const roomId = newRoomId();
    await send("budget_unpriced", roomId, `unpricedword-${roomId} hello`);
    const [told] = await fakeCampfire.waitForMessages(roomId, 1);
    expect(plain(told!.body)).toBe(
      "Sorry, I could not answer: the bot is not fully configured (no price for the model claude-unpriced-1; add it to PRICES).",
    );
    expect(await fakeAnthropic.requestsMentioning(`unpricedword-${roomId}`)).toHaveLength(0);
    expect(await pendingWork(roomId, "budget_unpriced")).toBe(0);
    expect(await heldBy(roomId, "budget_unpriced")).toBeNull();
  });

  it("holds one person to their own budget: someone else in the room is still answered", async () => {
    const roomId = newRoomId();
    const { day } = periodsAt(Date.now(), "UTC");
    const grace = newMessageId();
    await seed("budget_person", { period: day, scope: "person", id: String(grace) }, 0.5);
    await send("budget_person", roomId, `personword-${roomId} first`, grace, "Grace Hopper");
    const [refused] = await fakeCampfire.waitForMessages(roomId, 1);
    expect(plain(refused!.body)).toBe(
      "Today's budget for Personal for Grace Hopper ($0.50) is spent; it resets at 00:00 UTC.",
    );
    await send("budget_person", roomId, `personword-${roomId} second`, grace + 1, "Alan Turing");
    const [, answered] = await fakeCampfire.waitForMessages(roomId, 2);
    expect(answered!.body).toContain("Echo: Alan Turing");
  });
});

describe("an answer that takes a budget to 80 %", () => {
  it("carries one short notice, once for that budget and day, and the transcript leaves it out", async () => {
    const roomId = newRoomId();
    const { day } = periodsAt(Date.now(), "Europe/Berlin");
    // Any turn's estimate (at least its 1 024 tokens of output, $0.01) takes $0.79 of $1 past 80 %.
    await seed("budget_warn", { period: day, scope: "bot", id: "" }, 0.79);
    await send("budget_warn", roomId, "warnword first question");
    const [first] = await fakeCampfire.waitForMessages(roomId, 1);
    expect(plain(first!.body)).toContain("Echo: Ada Lovelace: warnword first question");
    expect(plain(first!.body)).toContain(
      "(80 % of today's budget for Thrifty ($1.00) is used; it resets at 00:00 Europe/Berlin.)",
    );
    await send("budget_warn", roomId, "warnword second question");
    const [, second] = await fakeCampfire.waitForMessages(roomId, 2);
    expect(plain(second!.body)).toContain("warnword second question");
    expect(plain(second!.body)).not.toContain("80 %");
    expect(JSON.stringify(await storedTranscript(roomId, "budget_warn"))).not.toContain("80 %");
  });
});

describe("settling a turn's real cost", () => {
  it("reserves the estimate, then the next turn and the conversation's end each settle what the turn really cost", async () => {
    const roomId = newRoomId();
    const userId = newMessageId();
    const mine = { period: periodsAt(Date.now(), "Europe/Berlin").day, scope: "person" as const, id: String(userId) };
    await send("budget_all", roomId, `settleword-${roomId} one`, userId);
    await fakeCampfire.waitForMessages(roomId, 1);
    const first = (await heldBy(roomId, "budget_all"))!;
    const [asked] = await fakeAnthropic.requestsMentioning(`settleword-${roomId} one`);
    // Held: the estimate, on all four budgets' counters; known: what the turn really cost.
    expect(first.rows.map((row) => row.scope).sort()).toEqual(["bot", "bot", "person", "room"]);
    expect(first.cost).toBe(costOfRequest(asked!));
    expect(first.held).toBeGreaterThan(first.cost);
    expect(await committed("budget_all", mine)).toBe(first.held);

    await send("budget_all", roomId, `settleword-${roomId} two`, userId);
    await fakeCampfire.waitForMessages(roomId, 2);
    const second = (await heldBy(roomId, "budget_all"))!;
    expect(await committed("budget_all", mine)).toBe(first.cost + second.held);

    expect((await endConversation("budget_all", roomId)).status).toBe(200);
    const [secondAsked] = await fakeAnthropic.requestsMentioning(`settleword-${roomId} two`);
    expect(await committed("budget_all", mine)).toBe(first.cost + costOfRequest(secondAsked!));
  });
});

describe("asking what is left of the budget", () => {
  it("answers from the counters through budget_status, offered to a bot with a budget and to no other", async () => {
    const roomId = newRoomId();
    const userId = newMessageId();
    const marker = `statusword-${roomId}`;
    await send("budget_all", roomId, `${marker} how much of today's budget is left? [fake:tool=budget_status]`, userId);
    const [answer] = await fakeCampfire.waitForMessages(roomId, 1);
    const [request] = await fakeAnthropic.requestsMentioning(marker);
    expect(((request!.body as { tools?: { name: string }[] }).tools ?? []).map((tool) => tool.name)).toContain(
      "budget_status",
    );
    // The room's and the person's counters hold only this turn's reservation while the tool runs.
    const held = (await heldBy(roomId, "budget_all"))!.held / 1e6;
    const text = plain(answer!.body);
    expect(text).toContain(
      `Today's budget for Allowance for Ada Lovelace: $${held.toFixed(2)} of $10.00 spent, $${(10 - held).toFixed(2)} left; it resets at 00:00 Europe/Berlin.`,
    );
    expect(text).toContain(
      `Today's budget for Allowance in this room: $${held.toFixed(2)} of $20.00 spent, $${(20 - held).toFixed(2)} left; it resets at 00:00 Europe/Berlin.`,
    );
    expect(text).toMatch(/Today's budget for Allowance: \$[\d.]+ of \$100\.00 spent/);
    expect(text).toMatch(
      /This month's budget for Allowance: \$[\d.]+ of \$1000\.00 spent, \$[\d.]+ left; it resets on 1 \w+ at 00:00 Europe\/Berlin\./,
    );

    const plainRoom = newRoomId();
    await postWebhook(campfirePayload({ roomId: plainRoom, text: `${marker}-none hello` }));
    await fakeCampfire.waitForMessages(plainRoom, 1);
    const [unbudgeted] = await fakeAnthropic.requestsMentioning(`${marker}-none`);
    expect(((unbudgeted!.body as { tools?: { name: string }[] }).tools ?? []).map((tool) => tool.name)).not.toContain(
      "budget_status",
    );
  });
});

describe("many conversations at once against a nearly spent budget", () => {
  it("lets no more start than the budget holds: the total stays within the limit plus one estimate per conversation in flight", async () => {
    const limit = toMicros(1);
    const day = { period: periodsAt(Date.now(), "UTC").day, scope: "bot" as const, id: "" };
    // About three turns' estimates left.
    const seeded = 1 - 0.035;
    await seed("budget_crowd", day, seeded);
    const rooms = Array.from({ length: 20 }, () => newRoomId());
    await Promise.all(
      rooms.map((roomId) => send("budget_crowd", roomId, `crowdword-${roomId} [fake:delay=300] a question`)),
    );
    const first = await Promise.all(
      rooms.map(async (roomId) => plain((await fakeCampfire.waitForMessages(roomId, 1, 20_000))[0]!.body)),
    );
    const refused = rooms.filter((_, index) => first[index]!.startsWith("Today's budget for Crowd ($1.00) is spent"));
    const answered = rooms.filter((_, index) => first[index]!.startsWith("Echo:"));
    expect(refused.length + answered.length).toBe(20);
    expect(answered.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(answered.length);
    for (const roomId of refused) expect(await fakeAnthropic.requestsMentioning(`crowdword-${roomId}`)).toHaveLength(0);

    // While the answered conversations hold their reservations, the day's counter is the seed plus what they hold.
    const holds = await Promise.all(answered.map((roomId) => heldBy(roomId, "budget_crowd")));
    const total = await committed("budget_crowd", day);
    expect(total).toBe(toMicros(seeded) + holds.reduce((sum, hold) => sum + hold!.held, 0));
    expect(total).toBeLessThanOrEqual(limit);
    expect(total).toBeLessThanOrEqual(limit + Math.max(...holds.map((hold) => hold!.held)) * rooms.length);

    // Ended, each settles its real cost: still within the limit.
    for (const roomId of answered) expect((await endConversation("budget_crowd", roomId)).status).toBe(200);
    const costs = await Promise.all(
      answered.map(async (roomId) =>
        costOfRequest((await fakeAnthropic.requestsMentioning(`crowdword-${roomId}`))[0]!),
      ),
    );
    expect(await committed("budget_crowd", day)).toBe(toMicros(seeded) + costs.reduce((a, b) => a + b, 0));
    expect(await committed("budget_crowd", day)).toBeLessThanOrEqual(limit);
  });
});

describe("the budget's counters", () => {
  const at = (iso: string) => Date.parse(iso);
  const ok = (answer: ReserveAnswer) => {
    if (!answer.ok) throw new Error(`refused by ${answer.refused.kind}`);
    return answer;
  };

  it("settle a reservation made before midnight on that day, and start the next day (and month) afresh", async () => {
    const counters = budgetOf(`midnight-${newRoomId()}`);
    const scope = { limits: { perRoomDailyUsd: 1, monthlyUsd: 3 }, timeZone: "Europe/Berlin", personId: 7, roomId: 1 };
    // 23:59 in Berlin on the last day of November.
    const before = at("2026-11-30T22:59:00Z");
    const late = ok(await counters.reserve({ ...scope, now: before, estimateMicros: 900_000, settle: null }));
    // Another turn that night does not fit: what is left of the day is less than its estimate.
    const refused = await counters.reserve({ ...scope, now: before + 30_000, estimateMicros: 200_000, settle: null });
    expect(refused).toMatchObject({ ok: false, refused: { kind: "room", period: "d:2026-11-30" } });
    // 00:01 in Berlin, 1 December: the first turn is settled on the 30th and November, the next starts on fresh counters.
    const after = ok(
      await counters.reserve({
        ...scope,
        now: at("2026-11-30T23:01:00Z"),
        estimateMicros: 200_000,
        settle: { ...late.held, costMicros: 100_000 },
      }),
    );
    expect(after.held.rows.map((row) => row.period)).toEqual(["d:2026-12-01", "m:2026-12"]);
    const rows = await runInDurableObject(counters, (_, state) =>
      state.storage.sql
        .exec<{ period: string; committed: number }>("SELECT period, committed FROM counters ORDER BY period")
        .toArray(),
    );
    expect(rows).toEqual([
      { period: "d:2026-11-30", committed: 100_000 },
      { period: "d:2026-12-01", committed: 200_000 },
      { period: "m:2026-11", committed: 100_000 },
      { period: "m:2026-12", committed: 200_000 },
    ]);
  });

  it("are kept 40 days after their period, then the alarm deletes them", async () => {
    const counters = budgetOf(`trim-${newRoomId()}`);
    const scope = { limits: { dailyUsd: 1 }, timeZone: "UTC", personId: 7, roomId: 1 };
    ok(await counters.reserve({ ...scope, now: Date.now() - 41 * 86_400_000, estimateMicros: 1_000, settle: null }));
    ok(await counters.reserve({ ...scope, now: Date.now() - 39 * 86_400_000, estimateMicros: 1_000, settle: null }));
    ok(await counters.reserve({ ...scope, now: Date.now(), estimateMicros: 1_000, settle: null }));
    expect(await runInDurableObject(counters, (_, state) => state.storage.getAlarm())).not.toBeNull();
    expect(await runDurableObjectAlarm(counters)).toBe(true);
    const left = await runInDurableObject(counters, (_, state) =>
      state.storage.sql
        .exec<{ period: string }>("SELECT period FROM counters ORDER BY period")
        .toArray()
        .map((row) => row.period),
    );
    expect(left).toEqual([periodsAt(Date.now() - 39 * 86_400_000, "UTC").day, periodsAt(Date.now(), "UTC").day]);
    // Counters remain, so it keeps trimming.
    expect(await runInDurableObject(counters, (_, state) => state.storage.getAlarm())).not.toBeNull();
  });
});

describe("a conversation stored before budgets existed", () => {
  it("gets the budget columns in place and answers on, holding its reservation", async () => {
    const roomId = newRoomId();
    const before = SCHEMA.replace(
      ",\n  budget_rows TEXT,\n  budget_held INTEGER NOT NULL DEFAULT 0,\n  budget_cost INTEGER NOT NULL DEFAULT 0",
      "",
    );
    expect(before).not.toContain("budget_");
    await runInDurableObject(conversation(roomId, "budget_all"), (_, state) => {
      state.storage.sql.exec(before);
      const now = Date.now();
      state.storage.sql.exec(
        "INSERT INTO conversation (id, bot_id, room_id, room_name, ttl_ms, started_at, last_activity_at) VALUES (1, 'budget_all', ?, 'Watercooler', 86400000, ?, ?)",
        roomId,
        now,
        now,
      );
      state.storage.sql.exec(
        "INSERT INTO inbox (user_id, user_name, text, received_at) VALUES (7, 'Ada Lovelace', 'oldlayoutword waiting', ?)",
        now,
      );
      return state.storage.setAlarm(now);
    });
    await runDurableObjectAlarm(conversation(roomId, "budget_all"));
    const [answer] = await fakeCampfire.waitForMessages(roomId, 1);
    expect(answer!.body).toContain("oldlayoutword waiting");
    expect((await heldBy(roomId, "budget_all"))!.held).toBeGreaterThan(0);
  });
});

describe("a budget an operator sets at runtime", () => {
  const budgetAdmin = (method: string, body?: unknown) =>
    exports.default.fetch("https://bot.example/admin/bots/budget_all/budget", {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("overrides wrangler.toml's until cleared: a turn it does not allow is refused, and answered again once it is cleared", async () => {
    const roomId = newRoomId();
    const marker = `override-${roomId}`;
    expect((await budgetAdmin("PUT", { daily_usd: 0.000001 })).status).toBe(200);
    try {
      await send("budget_all", roomId, `${marker} first`);
      const [told] = await fakeCampfire.waitForMessages(roomId, 1);
      expect(plain(told!.body)).toContain("Today's budget for Allowance");
      expect(await fakeAnthropic.requestsMentioning(marker)).toHaveLength(0);
    } finally {
      expect((await budgetAdmin("DELETE")).status).toBe(200);
    }
    await send("budget_all", roomId, `${marker} second`);
    await fakeCampfire.waitForMessages(roomId, 2);
    expect(await fakeAnthropic.requestsMentioning(`${marker} second`)).toHaveLength(1);
  });
});
