import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NO_FAILURES } from "../../src/failure";
import { REPORT_EVERY_MS } from "../../src/objects/report";
import { HOUR_MS, KEEP_HOURS } from "../../src/registry/registry";
import { botOverview, registryFor } from "../../src/registry/shards";
import { alarmAt, campfirePayload, conversation, fakeCampfire, newRoomId, postWebhook } from "./helpers";

let bots = 0;
/** A bot id of its own for each test: its shards hold only what the test put there. */
const newBot = () => `hourly_${Date.now()}_${++bots}`;
const DAY_MS = 86_400_000;

/** A conversation's running totals as it reports them: `turns` turns of 100 input and 10 output tokens each. */
function totals(roomId: number, startedAt: number, turns: number, failures = { ...NO_FAILURES }) {
  return {
    roomId,
    startedAt,
    lastActivityAt: startedAt + turns,
    ttlMs: DAY_MS,
    turns,
    fallbacks: 0,
    waiting: 0,
    retrying: false,
    usage: { input: 100 * turns, output: 10 * turns, cacheRead: 0, cacheWrite: 0 },
    billing: { doRequests: 2 * turns, rowsRead: 0, rowsWritten: 4 * turns, subrequests: 3 * turns },
    claudeMicros: 500 * turns,
    failures,
  };
}

const hourOf = (at: number) => at - (at % HOUR_MS);
const hoursOf = async (bot: string, since = 0) => (await botOverview(env, bot, since)).hours;
const alarmOf = (bot: string, roomId: number) =>
  runInDurableObject(registryFor(env, bot, roomId), (_, state) => state.storage.getAlarm());

describe("the console's hourly figures in the registry shards", () => {
  it("count what a conversation's totals grew by in the hour each report arrived, rolling over at the hour", async () => {
    const bot = newBot();
    const roomId = newRoomId();
    const ten = hourOf(Date.now()) - 2 * HOUR_MS;
    const registry = registryFor(env, bot, roomId);
    await registry.report(totals(roomId, ten, 1), ten + 59 * 60_000);
    await registry.report(totals(roomId, ten, 3), ten + HOUR_MS - 1);
    await registry.report(totals(roomId, ten, 7), ten + HOUR_MS);
    expect((await hoursOf(bot)).map((h) => [h.hour, h.turns, h.usage.input, h.claudeMicros, h.alive])).toEqual([
      [ten, 3, 300, 1_500, 1],
      [ten + HOUR_MS, 4, 400, 2_000, 1],
    ]);
  });

  it("never count a report twice, whether it is repeated or arrives after a newer one", async () => {
    const bot = newBot();
    const roomId = newRoomId();
    const now = Date.now();
    const registry = registryFor(env, bot, roomId);
    await registry.report(totals(roomId, now, 2), now);
    await registry.report(totals(roomId, now, 2), now);
    await registry.report(totals(roomId, now, 1), now);
    await registry.evicted(totals(roomId, now, 3), now);
    const { hours, summary } = await botOverview(env, bot, 0);
    expect(hours.map((h) => h.turns)).toEqual([3]);
    expect(summary.turns).toBe(3);
  });

  it("count a conversation once from its birth to its eviction in a later hour, and the room's next one apart", async () => {
    const bot = newBot();
    const roomId = newRoomId();
    const nine = hourOf(Date.now()) - 3 * HOUR_MS;
    const registry = registryFor(env, bot, roomId);
    await registry.report(totals(roomId, nine, 1), nine + 10);
    await registry.report(totals(roomId, nine, 2), nine + HOUR_MS);
    // Evicted two hours on, with turns it never reported alive: only those count in that hour.
    await registry.evicted(totals(roomId, nine, 4), nine + 2 * HOUR_MS);
    // The room's next conversation, and the evicted one's late report, which changes nothing.
    await registry.report(totals(roomId, nine + 5, 2), nine + 2 * HOUR_MS);
    await registry.report(totals(roomId, nine, 3), nine + 2 * HOUR_MS);
    const { hours, summary } = await botOverview(env, bot, 0);
    expect(hours.map((h) => [h.hour, h.turns, h.billing.rowsWritten])).toEqual([
      [nine, 1, 4],
      [nine + HOUR_MS, 1, 4],
      [nine + 2 * HOUR_MS, 4, 16],
    ]);
    // The hours add up to the totals `/metrics/usage` reports.
    expect(summary.turns).toBe(6);
    expect(summary.evictions).toBe(1);
  });

  it("count all of a conversation whose birth report was lost at its eviction", async () => {
    const bot = newBot();
    const roomId = newRoomId();
    const now = Date.now();
    await registryFor(env, bot, roomId).evicted(totals(roomId, now - 1_000, 5), now);
    expect((await hoursOf(bot)).map((h) => [h.turns, h.usage.output, h.alive])).toEqual([[5, 50, 0]]);
  });

  it("sum a bot's shards hour by hour", async () => {
    const bot = newBot();
    const now = Date.now();
    const first = newRoomId();
    let second = newRoomId();
    const firstShard = registryFor(env, bot, first).id.toString();
    while (registryFor(env, bot, second).id.toString() === firstShard) second = newRoomId();
    const failures = { ...NO_FAILURES, rate_limited: 2 };
    await registryFor(env, bot, second).report(totals(second, now - HOUR_MS, 5, failures), now - HOUR_MS);
    await registryFor(env, bot, second).report(totals(second, now - HOUR_MS, 6, failures), now);
    await registryFor(env, bot, first).report(totals(first, now, 2, { ...NO_FAILURES, overloaded: 1 }), now);
    const hours = await hoursOf(bot, hourOf(now) - HOUR_MS);
    expect(hours.map((h) => [h.hour, h.turns, h.failures.rate_limited, h.failures.overloaded, h.alive])).toEqual([
      [hourOf(now) - HOUR_MS, 5, 2, 0, 1],
      [hourOf(now), 3, 0, 1, 2],
    ]);
  });

  it("keep 14 × 24 hours at most: a new hour pushes out those older than 14 days", async () => {
    const bot = newBot();
    const roomId = newRoomId();
    const now = hourOf(Date.now());
    const registry = registryFor(env, bot, roomId);
    const usage = (input: number) => ({ input, output: 0, cacheRead: 0, cacheWrite: 0 });
    // Aged out an hour ago and just now: the alarm would delete them within a day, the next hour does at once.
    await registry.consulted(usage(1), now - (KEEP_HOURS + 1) * HOUR_MS);
    await registry.consulted(usage(2), now - KEEP_HOURS * HOUR_MS);
    await registry.consulted(usage(3), now - (KEEP_HOURS - 1) * HOUR_MS);
    expect((await hoursOf(bot)).map((h) => h.usage.input)).toEqual([1, 2, 3]);
    await registry.consulted(usage(4), now);
    expect((await hoursOf(bot)).map((h) => [h.hour, h.usage.input])).toEqual([
      [now - (KEEP_HOURS - 1) * HOUR_MS, 3],
      [now, 4],
    ]);
  });

  it("delete an idle shard's hours older than 14 days with its alarm, within a day of their aging out", async () => {
    const bot = newBot();
    const roomId = newRoomId();
    const now = Date.now();
    const registry = registryFor(env, bot, roomId);
    const aged = now - KEEP_HOURS * HOUR_MS - 2 * HOUR_MS;
    const kept = now - KEEP_HOURS * HOUR_MS + 2 * HOUR_MS;
    await registry.consulted({ input: 50, output: 5, cacheRead: 0, cacheWrite: 0 }, aged);
    await registry.consulted({ input: 70, output: 7, cacheRead: 0, cacheWrite: 0 }, kept);
    // Nothing alive to sweep: the alarm is for the aged hour, a day after it aged out.
    expect(await alarmOf(bot, roomId)).toBe(hourOf(aged) + KEEP_HOURS * HOUR_MS + DAY_MS);
    expect(await runDurableObjectAlarm(registry)).toBe(true);
    expect((await hoursOf(bot)).map((h) => h.usage.input)).toEqual([70]);
    expect(await alarmOf(bot, roomId)).toBe(hourOf(kept) + KEEP_HOURS * HOUR_MS + DAY_MS);
  });
});

describe("a registry shard stored by an older release", () => {
  it("gains the columns it lacks when it wakes, keeping its totals and live rows, and then counts what they count", async () => {
    const bot = newBot();
    const roomId = newRoomId();
    const registry = registryFor(env, bot, roomId);
    const startedAt = Date.now() - 60_000;
    await runInDurableObject(registry, (_, state) => {
      // The layout before billing, fallbacks and failures were counted, with a live conversation and ended totals.
      const sql = state.storage.sql;
      sql.exec("DROP TABLE alive; DROP TABLE ended; DROP TABLE hourly");
      sql.exec(`CREATE TABLE alive (room_id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL,
        last_activity_at INTEGER NOT NULL, ttl_ms INTEGER NOT NULL, waiting INTEGER NOT NULL, turns INTEGER NOT NULL DEFAULT 0,
        input INTEGER NOT NULL DEFAULT 0, output INTEGER NOT NULL DEFAULT 0, cache_read INTEGER NOT NULL DEFAULT 0,
        cache_write INTEGER NOT NULL DEFAULT 0, retrying INTEGER NOT NULL)`);
      sql.exec(`CREATE TABLE ended (id INTEGER PRIMARY KEY CHECK (id = 1), evictions INTEGER NOT NULL DEFAULT 0,
        turns INTEGER NOT NULL DEFAULT 0, input INTEGER NOT NULL DEFAULT 0, output INTEGER NOT NULL DEFAULT 0,
        cache_read INTEGER NOT NULL DEFAULT 0, cache_write INTEGER NOT NULL DEFAULT 0)`);
      sql.exec("INSERT INTO ended (id, evictions, turns, input) VALUES (1, 3, 7, 700)");
      sql.exec(
        "INSERT INTO alive (room_id, started_at, last_activity_at, ttl_ms, waiting, turns, input, retrying) VALUES (?, ?, ?, ?, 0, 2, 200, 0)",
        roomId,
        startedAt,
        startedAt + 2,
        DAY_MS,
      );
    });
    // A new instance over that storage, as after a deploy: its constructor upgrades the tables in place.
    await runInDurableObject(registry, (instance, state) => {
      new (instance.constructor as new (state: DurableObjectState, env: Env) => unknown)(state, env);
    });
    const failed = { ...NO_FAILURES, overloaded: 1 };
    await registry.report(totals(roomId, startedAt, 3, failed));
    const summary = await registry.summary();
    expect(summary).toMatchObject({ alive: 1, evictions: 3, turns: 10, failures: failed, claudeMicros: 1_500 });
    expect(summary.usage.input).toBe(1_000);
    // The hour counts only what the report added to the row it found: one turn, its cost and its failure.
    expect((await hoursOf(bot)).map((h) => [h.turns, h.usage.input, h.failures.overloaded])).toEqual([[1, 100, 1]]);
  });
});

describe("a conversation's reports to its registry shard", () => {
  afterEach(() => vi.useRealTimers());

  const roomOf = (roomId: number) =>
    runInDurableObject(registryFor(env, "assistant", roomId), (_, state) =>
      state.storage.sql
        .exec<{ turns: number; rate_limited: number; retrying: number }>(
          "SELECT turns, failed_rate_limited AS rate_limited, retrying FROM alive WHERE room_id = ?",
          roomId,
        )
        .toArray()
        .at(0),
    );
  const stored = (roomId: number) =>
    runInDurableObject(conversation(roomId), (_, state) =>
      state.storage.sql
        .exec<{ reportedAt: number; lastActivityAt: number; ttlMs: number }>(
          "SELECT reported_at AS reportedAt, last_activity_at AS lastActivityAt, ttl_ms AS ttlMs FROM conversation",
        )
        .one(),
    );
  /** Drops the object from memory, as the runtime does whenever it is idle: the next call gets a fresh instance. */
  const evictFromMemory = (roomId: number) =>
    runInDurableObject(conversation(roomId), (_, state) => state.abort("evicted by the test")).catch(() => {});

  it("tell of a turn answered within a minute of the last report by the alarm at that minute, the object evicted meanwhile", async () => {
    const roomId = newRoomId();
    await postWebhook(campfirePayload({ roomId, text: "reported at birth" }));
    await fakeCampfire.waitForMessages(roomId, 1);
    await expect.poll(async () => (await roomOf(roomId))?.turns).toBe(1);
    const { reportedAt } = await stored(roomId);
    await postWebhook(campfirePayload({ roomId, text: "reported within a minute" }));
    await fakeCampfire.waitForMessages(roomId, 2);
    // Answered and settled: the one alarm now waits for the report's minute, before the day's TTL.
    await expect.poll(() => alarmAt(roomId)).toBe(reportedAt + REPORT_EVERY_MS);
    expect((await roomOf(roomId))?.turns).toBe(1);
    await evictFromMemory(roomId);
    vi.useFakeTimers({ toFake: ["Date"], now: reportedAt + REPORT_EVERY_MS });
    expect(await runDurableObjectAlarm(conversation(roomId))).toBe(true);
    expect((await roomOf(roomId))?.turns).toBe(2);
    const { lastActivityAt, ttlMs } = await stored(roomId);
    expect(await alarmAt(roomId)).toBe(lastActivityAt + ttlMs);
  });

  it("tell of a turn answered a minute or more after the last report at once", async () => {
    const roomId = newRoomId();
    await postWebhook(campfirePayload({ roomId, text: "reported at birth, then a minute later" }));
    await fakeCampfire.waitForMessages(roomId, 1);
    await expect.poll(async () => (await roomOf(roomId))?.turns).toBe(1);
    const { reportedAt } = await stored(roomId);
    vi.useFakeTimers({ toFake: ["Date"], now: reportedAt + REPORT_EVERY_MS });
    await postWebhook(campfirePayload({ roomId, text: "a minute after the birth" }));
    // The webhook set the alarm for the fake clock's now, which the runtime's real one has not reached.
    await runDurableObjectAlarm(conversation(roomId));
    await fakeCampfire.waitForMessages(roomId, 2);
    expect((await roomOf(roomId))?.turns).toBe(2);
    const { lastActivityAt, ttlMs } = await stored(roomId);
    expect(await alarmAt(roomId)).toBe(lastActivityAt + ttlMs);
  });

  it("tell of a rate-limited attempt at once, counted in its kind", async () => {
    const roomId = newRoomId();
    const marker = `limited${roomId}`;
    await postWebhook(
      campfirePayload({ roomId, text: `${marker} [fake:status=429,retryAfter=30,times=1,id=${marker}]` }),
    );
    await expect.poll(() => roomOf(roomId)).toEqual({ turns: 0, rate_limited: 1, retrying: 1 });
  });
});
