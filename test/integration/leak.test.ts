import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import {
  adminGet,
  alarmAt,
  campfirePayload,
  conversation,
  fakeCampfire,
  newRoomId,
  postWebhook,
  type PostedMessage,
  type SessionsMetrics,
  TEST_KEYS,
  userTables,
} from "./helpers";

const CONVERSATIONS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` over `items`, `width` at a time, as a burst of Campfire deliveries would arrive. */
async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

async function roomsAnswered(rooms: Set<number>): Promise<number> {
  const all = (await (await fetch(`${env.CAMPFIRE_URL}/_fake/messages`)).json()) as PostedMessage[];
  return new Set(all.filter((message) => rooms.has(message.roomId)).map((message) => message.roomId)).size;
}

describe("leaks", () => {
  it(`forgets every one of ${CONVERSATIONS} conversations at its TTL: no rows, no alarm, no longer counted alive`, async () => {
    const rooms = Array.from({ length: CONVERSATIONS }, () => newRoomId());
    const before = (await adminGet<SessionsMetrics>("/metrics/sessions")).bots.leaktest!;

    await inParallel(rooms, 25, async (roomId) => {
      const response = await postWebhook(campfirePayload({ roomId, text: "leak check", key: TEST_KEYS.leaktest }), {
        botId: "leaktest",
      });
      expect(response.status).toBe(204);
    });
    await vi.waitFor(async () => expect(await roomsAnswered(new Set(rooms))).toBe(CONVERSATIONS), {
      timeout: 30_000,
      interval: 200,
    });
    const alive = (await adminGet<SessionsMetrics>("/metrics/sessions")).bots.leaktest!;
    // Answered within the 10 s TTL, so all of them are alive together (or, on a very slow machine, already evicted).
    expect(alive.alive + alive.evictions - before.evictions).toBe(CONVERSATIONS);

    // Every conversation was last active before now: let the 10 s TTL pass, then run each alarm not yet fired.
    await sleep(10_500);
    await inParallel(rooms, 25, async (roomId) => {
      await runDurableObjectAlarm(conversation(roomId, "leaktest"));
    });

    await inParallel(rooms, 25, async (roomId) => {
      expect(await userTables(roomId, "leaktest")).toEqual([]);
      expect(await alarmAt(roomId, "leaktest")).toBeNull();
    });
    const after = (await adminGet<SessionsMetrics>("/metrics/sessions")).bots.leaktest!;
    expect(after.alive).toBe(before.alive);
    expect(after.evictions - before.evictions).toBe(CONVERSATIONS);
  }, 90_000);

  it("does not forget a conversation that keeps talking: the TTL counts from the last message", async () => {
    const roomId = newRoomId();
    const send = (text: string) =>
      postWebhook(campfirePayload({ roomId, text, key: TEST_KEYS.brief }), { botId: "brief" });
    // Five messages 1.2 s apart span 6 s, three times the bot's 2 s TTL.
    for (let turn = 1; turn <= 5; turn++) {
      await send(`still here ${turn}`);
      const replies = await fakeCampfire.waitForMessages(roomId, turn);
      expect(replies[turn - 1]!.body).toContain(`earlier user messages: ${turn - 1}`);
      await sleep(1_200);
    }
    expect(await userTables(roomId, "brief")).toContain("conversation");
    // Once it goes quiet, it is forgotten after its TTL.
    await vi.waitFor(async () => expect(await userTables(roomId, "brief")).toEqual([]), {
      timeout: 10_000,
      interval: 250,
    });
  }, 30_000);
});
