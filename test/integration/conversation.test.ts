import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  campfirePayload,
  conversation,
  fakeAnthropic,
  fakeCampfire,
  newMessageId,
  newRoomId,
  alarmAt,
  pendingWork,
  postWebhook,
  runUntilIdle,
  userTables,
  speakers,
} from "./helpers";

async function send(roomId: number, text: string, extra: { userName?: string; messageId?: number } = {}) {
  const response = await postWebhook(campfirePayload({ roomId, text, ...extra }));
  expect(response.status).toBe(204);
}

describe("a conversation", () => {
  it("remembers earlier turns: the second question is asked with the first answer", async () => {
    const roomId = newRoomId();
    await send(roomId, "memoryword first question");
    await fakeCampfire.waitForMessages(roomId, 1);
    await send(roomId, "memoryword second question");
    const replies = await fakeCampfire.waitForMessages(roomId, 2);
    expect(replies[1]!.body).toContain("earlier user messages: 1");

    const requests = await fakeAnthropic.requestsMentioning("memoryword second");
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(speakers(requests[0]!, 0)).toEqual([{ from: "Ada Lovelace", text: "memoryword first question" }]);
  });

  it("answers the same Campfire message once, however often it is delivered", async () => {
    const roomId = newRoomId();
    const messageId = newMessageId();
    await send(roomId, "dupword once please", { messageId });
    await send(roomId, "dupword once please", { messageId });
    await fakeCampfire.waitForMessages(roomId, 1);
    await send(roomId, "dupword once please", { messageId });
    await runUntilIdle(roomId);
    expect(await fakeCampfire.messages(roomId)).toHaveLength(1);
    expect(await fakeAnthropic.requestsMentioning("dupword")).toHaveLength(1);
  });

  it("loses nothing that arrives while Claude is answering, and answers it next, in order", async () => {
    const roomId = newRoomId();
    const marker = `inflight${roomId}`;
    await send(roomId, `${marker} slow one [fake:delay=1500,id=${marker}]`);
    // Wait until the first model call is under way, then talk over it.
    await expect.poll(() => fakeAnthropic.requestsMentioning(marker), { timeout: 5_000 }).toHaveLength(1);
    await send(roomId, `${marker} two`, { userName: "Bob" });
    await send(roomId, `${marker} three`, { userName: "Carol" });

    const replies = await fakeCampfire.waitForMessages(roomId, 2);
    expect(replies[0]!.body).toContain("slow one");
    const second = (await fakeAnthropic.requestsMentioning(`${marker} two`)).at(-1)!;
    expect(speakers(second)).toEqual([
      { from: "Bob", text: `${marker} two` },
      { from: "Carol", text: `${marker} three` },
    ]);
    expect(second.body.messages).toHaveLength(3);
    expect(replies[1]!.body).toContain(`Bob: ${marker} two`);
    expect(await fakeCampfire.messages(roomId)).toHaveLength(2);
  });

  it("retries Claude's overload with back-off and then answers once", async () => {
    const roomId = newRoomId();
    const marker = `overload${roomId}`;
    await send(roomId, `${marker} [fake:status=529,times=2,id=${marker}]`);
    await runUntilIdle(roomId);
    const replies = await fakeCampfire.waitForMessages(roomId, 1);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain("Echo:");
    expect(await fakeAnthropic.requestsMentioning(marker)).toHaveLength(3);
  });

  it("schedules the retry in the future rather than spinning", async () => {
    const roomId = newRoomId();
    const marker = `ratelimit${roomId}`;
    const before = Date.now();
    await send(roomId, `${marker} [fake:status=429,retryAfter=30,times=1,id=${marker}]`);
    await expect.poll(() => fakeAnthropic.requestsMentioning(marker)).toHaveLength(1);
    await expect.poll(() => alarmAt(roomId)).toBeGreaterThanOrEqual(before + 30_000);
    await runUntilIdle(roomId);
    expect(await fakeCampfire.waitForMessages(roomId, 1)).toHaveLength(1);
  });

  it("after retries run out, tells the room once why it could not answer", async () => {
    const roomId = newRoomId();
    const marker = `exhausted${roomId}`;
    await send(roomId, `${marker} [fake:status=529,id=${marker}]`);
    await runUntilIdle(roomId);
    const messages = await fakeCampfire.messages(roomId);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.body).toContain("Sorry, I could not answer: Claude is overloaded right now.");
    expect(await fakeAnthropic.requestsMentioning(marker)).toHaveLength(6);
    // The failed question does not enter history: the next one is asked fresh.
    await send(roomId, `${marker}-next fine now`);
    await fakeCampfire.waitForMessages(roomId, 2);
    const next = (await fakeAnthropic.requestsMentioning(`${marker}-next`))[0]!;
    expect(next.body.messages).toHaveLength(1);
  });

  it("does not retry a rejected API key: the room is told at once", async () => {
    const roomId = newRoomId();
    const marker = `badkey${roomId}`;
    await send(roomId, `${marker} [fake:status=401,id=${marker}]`);
    const [message] = await fakeCampfire.waitForMessages(roomId, 1);
    expect(message!.body).toContain("the Anthropic API key was rejected");
    expect(await fakeAnthropic.requestsMentioning(marker)).toHaveLength(1);
  });

  it("keeps Claude's answer while Campfire is down and posts it once Campfire is back, without asking again", async () => {
    const roomId = newRoomId();
    const marker = `campfiredown${roomId}`;
    await fakeCampfire.fail({ status: 503, times: 2, room: roomId, method: "POST", endsWith: "/messages" });
    await send(roomId, marker);
    await runUntilIdle(roomId);
    const messages = await fakeCampfire.waitForMessages(roomId, 1);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.body).toContain(marker);
    expect(await fakeAnthropic.requestsMentioning(marker)).toHaveLength(1);
  });

  it("forgets everything at its TTL: no rows, no tables, no alarm; the next message starts afresh", async () => {
    const roomId = newRoomId();
    const marker = `evict${roomId}`;
    await send(roomId, `${marker} remember me`);
    await fakeCampfire.waitForMessages(roomId, 1);
    await runUntilIdle(roomId);
    const stub = conversation(roomId);

    // The alarm now waits for the TTL; a wake-up before it must not forget a live conversation.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await userTables(roomId)).toContain("conversation");

    // Let the TTL pass by moving the last activity back, then let the alarm fire.
    await runInDurableObject(stub, (_, state) => {
      state.storage.sql.exec("UPDATE conversation SET last_activity_at = last_activity_at - ttl_ms - 1");
    });
    expect(await alarmAt(roomId)).not.toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    expect(await userTables(roomId)).toEqual([]);
    expect(await alarmAt(roomId)).toBeNull();
    expect(await pendingWork(roomId)).toBe(0);

    await send(roomId, `${marker}-again who am I`);
    await fakeCampfire.waitForMessages(roomId, 2);
    const fresh = (await fakeAnthropic.requestsMentioning(`${marker}-again`))[0]!;
    expect(fresh.body.messages).toHaveLength(1);
  });

  it("keeps working after an upgrade: a conversation the first release stored keeps its turns and its waiting answer", async () => {
    const roomId = newRoomId();
    await runInDurableObject(conversation(roomId), (_, state) => {
      // The first release's layout: a history table and an outbox, as it left them mid-delivery.
      state.storage.sql.exec(`CREATE TABLE conversation (id INTEGER PRIMARY KEY CHECK (id = 1), bot_id TEXT NOT NULL, room_id INTEGER NOT NULL,
          room_name TEXT NOT NULL, ttl_ms INTEGER NOT NULL, started_at INTEGER NOT NULL, last_activity_at INTEGER NOT NULL,
          retry_attempts INTEGER NOT NULL DEFAULT 0, retry_at INTEGER, failing_since INTEGER, turns INTEGER NOT NULL DEFAULT 0,
          input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0, cache_read_tokens INTEGER NOT NULL DEFAULT 0,
          cache_write_tokens INTEGER NOT NULL DEFAULT 0, draft_message_id INTEGER);
        CREATE TABLE seen (message_id TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE TABLE inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL, user_name TEXT NOT NULL, text TEXT NOT NULL, received_at INTEGER NOT NULL);
        CREATE TABLE history (seq INTEGER PRIMARY KEY AUTOINCREMENT, role TEXT NOT NULL, content TEXT NOT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE outbox (id INTEGER PRIMARY KEY CHECK (id = 1), kind TEXT NOT NULL, upto_seq INTEGER NOT NULL, prompt TEXT NOT NULL,
          markdown TEXT NOT NULL, message_id INTEGER, posted INTEGER NOT NULL DEFAULT 0, queued_at INTEGER NOT NULL);`);
      const now = Date.now();
      state.storage.sql.exec(
        "INSERT INTO conversation (id, bot_id, room_id, room_name, ttl_ms, started_at, last_activity_at, turns) VALUES (1, 'assistant', ?, 'Watercooler', 86400000, ?, ?, 1)",
        roomId,
        now,
        now,
      );
      state.storage.sql.exec(
        "INSERT INTO history (role, content, created_at) VALUES ('user', 'Ada Lovelace: upgradeword earlier question', ?), ('assistant', 'an earlier answer', ?)",
        now,
        now,
      );
      state.storage.sql.exec(
        "INSERT INTO inbox (user_id, user_name, text, received_at) VALUES (7, 'Ada Lovelace', 'upgradeword waiting', ?)",
        now,
      );
      state.storage.sql.exec(
        "INSERT INTO outbox VALUES (1, 'reply', 1, 'Ada Lovelace: upgradeword waiting', 'the answer that waited', NULL, 0, ?)",
        now,
      );
      return state.storage.setAlarm(now);
    });
    // The new version's first alarm finds the old layout and moves it over.
    await runDurableObjectAlarm(conversation(roomId));
    // The next run posts the waiting answer without asking Claude, and the earlier turns are still known.
    await runUntilIdle(roomId);
    const [posted] = await fakeCampfire.waitForMessages(roomId, 1);
    expect(posted!.body).toContain("the answer that waited");
    expect(await fakeAnthropic.requestsMentioning("upgradeword waiting")).toHaveLength(0);
    expect(await userTables(roomId)).not.toContain("history");
    await send(roomId, "upgradeword follow-up");
    const replies = await fakeCampfire.waitForMessages(roomId, 2);
    expect(replies[1]!.body).toContain("earlier user messages: 2");
  });
});
