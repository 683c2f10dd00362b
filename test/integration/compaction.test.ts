import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  campfirePayload,
  conversation,
  fakeAnthropic,
  fakeCampfire,
  newRoomId,
  postWebhook,
  type RecordedRequest,
  runUntilIdle,
  TEST_KEYS,
  userTables,
} from "./helpers";

type Bot = keyof typeof TEST_KEYS;
const DECISION = "we decided the launch is on 12 March";

async function send(roomId: number, text: string, bot: Bot) {
  const response = await postWebhook(campfirePayload({ roomId, text, key: TEST_KEYS[bot] }), { botId: bot });
  expect(response.status).toBe(204);
}

/** Turns `from` to `to` of a conversation, each answered before the next: turn 1 says the decision, the rest chat. */
async function talk(roomId: number, marker: string, bot: Bot, from: number, to: number, padding = "") {
  for (let turn = from; turn <= to; turn++) {
    await send(roomId, `${marker} turn ${turn}: ${turn === 1 ? DECISION : "tell me about the weather"}${padding}`, bot);
    await fakeCampfire.waitForMessages(roomId, turn);
  }
}

/** The request that answered turn `turn` (not a summary's, which also holds older turns). */
async function turnRequest(marker: string, turn: number): Promise<RecordedRequest> {
  const requests = await fakeAnthropic.requestsMentioning(`${marker} turn ${turn}:`);
  return requests.find((request) => !("compaction" in request.body))!;
}

const summaries = async (marker: string) =>
  (await fakeAnthropic.requestsMentioning(marker)).filter((request) => "compaction" in request.body);
const storedSummary = (roomId: number, bot: Bot) =>
  runInDurableObject(
    conversation(roomId, bot),
    (_, state) => state.storage.sql.exec<{ s: string | null }>("SELECT summary AS s FROM conversation").one().s,
  );
/** What the turn's words (every user message but the summary) carry whole. */
const spokenWhole = (request: RecordedRequest) =>
  JSON.stringify(request.body.messages.filter((message) => message.role === "user"));

describe("a history longer than its budget", { timeout: 120_000 }, () => {
  it("still brings Claude a decision from turn 1 at turn 100, in the summary sent first, within the budget", async () => {
    const roomId = newRoomId();
    const marker = `hundred${roomId}`;
    // Frugal keeps about 500 tokens of history: some five exchanges of these.
    await talk(roomId, marker, "frugal", 1, 100);
    const last = await turnRequest(marker, 100);
    const [first] = last.body.messages;
    expect(first).toMatchObject({ role: "assistant", content: [{ type: "compaction" }] });
    expect(JSON.stringify(first)).toContain(DECISION);
    expect(spokenWhole(last)).not.toContain(DECISION);
    expect(last.headers["anthropic-beta"]).toContain("compact-2026-09-04");
    // The budget still holds: only the newest few exchanges come whole.
    expect(last.body.messages.length).toBeLessThanOrEqual(12);
  });

  it("keeps the summary in storage: a fresh instance sends it, and it is forgotten with the conversation at its TTL", async () => {
    const roomId = newRoomId();
    const marker = `kept${roomId}`;
    await talk(roomId, marker, "frugal", 1, 10);
    // Dropped from memory, as the runtime does whenever the object is idle: the next turn is a fresh instance's.
    await runInDurableObject(conversation(roomId, "frugal"), (_, state) => state.abort("evicted by the test")).catch(
      () => {},
    );
    await talk(roomId, marker, "frugal", 11, 11);
    expect(JSON.stringify((await turnRequest(marker, 11)).body.messages[0])).toContain(DECISION);
    expect(await storedSummary(roomId, "frugal")).toContain(DECISION);

    // Past its TTL the conversation is forgotten, summary and all: the next message starts afresh.
    await runUntilIdle(roomId, 20, "frugal");
    const stub = conversation(roomId, "frugal");
    await runInDurableObject(stub, (_, state) =>
      state.storage.sql.exec("UPDATE conversation SET last_activity_at = last_activity_at - ttl_ms - 1"),
    );
    await runDurableObjectAlarm(stub);
    expect(await userTables(roomId, "frugal")).toEqual([]);
    await send(roomId, `${marker} again: what did we decide?`, "frugal");
    await fakeCampfire.waitForMessages(roomId, 12);
    const fresh = (await fakeAnthropic.requestsMentioning(`${marker} again`))[0]!;
    expect(fresh.body.messages).toHaveLength(1);
    expect(JSON.stringify(fresh.body)).not.toContain(DECISION);
  });
});

describe("a summary the API cannot make", { timeout: 60_000 }, () => {
  it("holds up no answer: the turn goes on, and what is over the budget is dropped as before", async () => {
    const roomId = newRoomId();
    const marker = `nosummary${roomId}`;
    await send(roomId, `${marker} turn 1: ${DECISION} [fake:compactStatus=529,id=${marker}]`, "frugal");
    await fakeCampfire.waitForMessages(roomId, 1);
    await talk(roomId, marker, "frugal", 2, 16);
    const replies = await fakeCampfire.messages(roomId);
    expect(replies).toHaveLength(16);
    expect(replies.filter((reply) => reply.body.includes("Sorry"))).toEqual([]);
    const failed = (await summaries(marker)).filter((request) => JSON.stringify(request.body).includes(DECISION));
    expect(failed).toHaveLength(1);
    expect(JSON.stringify((await turnRequest(marker, 16)).body)).not.toContain(DECISION);
  });
});

describe("a history within its budget, after a break of over an hour", { timeout: 60_000 }, () => {
  it("goes into the summary but for its newest turns, since the whole of it would be written to the cache again", async () => {
    const roomId = newRoomId();
    const marker = `break${roomId}`;
    // About 400 tokens an exchange: 3 600 tokens of history, far within the assistant's 30 000.
    await talk(roomId, marker, "assistant", 1, 9, ` ${"and then some more words about it".repeat(30)}`);
    expect(await summaries(marker)).toEqual([]);
    // The last turn was two hours ago.
    await runInDurableObject(conversation(roomId), (_, state) =>
      state.storage.sql.exec(
        "UPDATE conversation SET cache_rhythm = json_set(cache_rhythm, '$.at', json_extract(cache_rhythm, '$.at') - 7200000)",
      ),
    );
    await talk(roomId, marker, "assistant", 10, 10);
    expect(await summaries(marker)).toHaveLength(1);
    const after = await turnRequest(marker, 10);
    expect(JSON.stringify(after.body.messages[0])).toContain(DECISION);
    expect(spokenWhole(after)).not.toContain(`${marker} turn 5:`);
    expect(spokenWhole(after)).toContain(`${marker} turn 9:`);
  });
});
