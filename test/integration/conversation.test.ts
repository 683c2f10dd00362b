import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConversationStore } from "../../src/conversation/store";
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
  userText,
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
    expect(userText(requests[0]!, 0)).toBe("Ada Lovelace: memoryword first question");
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
    expect(userText(second)).toBe(`Bob: ${marker} two\n\nCarol: ${marker} three`);
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
    await fakeCampfire.fail({ status: 503, times: 2, room: roomId, method: "POST" });
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
    expect(await userTables(roomId)).toContain("history");

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

  it("keeps working after an upgrade: a conversation an older version created gets the columns it lacks", async () => {
    const roomId = newRoomId();
    await send(roomId, "upgrade question");
    await fakeCampfire.waitForMessages(roomId, 1);
    await runInDurableObject(conversation(roomId), (_, state) => {
      // As the first release left it: no draft_posting_since.
      state.storage.sql.exec("ALTER TABLE conversation DROP COLUMN draft_posting_since");
      const store = new ConversationStore(state.storage);
      expect(store.draftPostingSince()).toBeNull();
      expect(store.state()!.turns).toBe(1);
    });
    await send(roomId, "upgrade follow-up");
    const replies = await fakeCampfire.waitForMessages(roomId, 2);
    expect(replies[1]!.body).toContain("upgrade follow-up");
  });
});
