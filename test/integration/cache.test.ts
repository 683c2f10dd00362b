import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  campfirePayload,
  conversation,
  fakeAnthropic,
  fakeCampfire,
  newRoomId,
  postWebhook,
  type RecordedRequest,
  storedTranscript,
  TEST_KEYS,
  turnExtras,
} from "./helpers";

type Bot = keyof typeof TEST_KEYS;
type Block = { type: string; text?: string; cache_control?: { type: string; ttl?: string } };
type Usage = { input_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number };

async function send(roomId: number, text: string, bot: Bot = "assistant") {
  const response = await postWebhook(campfirePayload({ roomId, text, key: TEST_KEYS[bot] }), { botId: bot });
  expect(response.status).toBe(204);
}

/** Every block of a request in the cache's order (system, then messages), as sent. */
function blocksOf(request: RecordedRequest): Block[] {
  const system = typeof request.body.system === "string" ? [] : ((request.body.system ?? []) as Block[]);
  return [
    ...system,
    ...request.body.messages.flatMap((message) =>
      typeof message.content === "string" ? [] : (message.content as Block[]),
    ),
  ];
}
const ttls = (request: RecordedRequest) =>
  blocksOf(request)
    .filter((block) => block.cache_control)
    .map((block) => block.cache_control!.ttl);

const rhythmOf = (roomId: number, bot: Bot = "assistant") =>
  runInDurableObject(
    conversation(roomId, bot),
    (_, state) =>
      JSON.parse(state.storage.sql.exec<{ r: string }>("SELECT cache_rhythm AS r FROM conversation").one().r) as {
        at: number;
        gaps: number[];
        rounds: number[];
      },
  );

describe("prompt-cache ttls chosen from the conversation's rhythm", { timeout: 30_000 }, () => {
  it("keeps a new conversation's first turn for 5 minutes, system prompt included, then the history for the hour", async () => {
    const roomId = newRoomId();
    await send(roomId, `ttl${roomId} one`);
    await fakeCampfire.waitForMessages(roomId, 1);
    await send(roomId, `ttl${roomId} two`);
    await fakeCampfire.waitForMessages(roomId, 2);
    const [first] = await fakeAnthropic.requestsMentioning(`ttl${roomId} one`);
    const [second] = (await fakeAnthropic.requestsMentioning(`ttl${roomId} two`)).filter((request) =>
      JSON.stringify(request.body.messages.at(-1)).includes("two"),
    );
    // System prompt and the turn's words; then the system prompt, the newest answer and the turn's words: nothing
    // of the first turn was kept for the hour, so the history is, or a pause would lose all of it.
    expect(ttls(first!)).toEqual(["5m", "5m"]);
    expect(ttls(second!)).toEqual(["1h", "1h", "5m"]);
    // The gap between the two turns is kept with the answer, in the row the turn writes anyway.
    const rhythm = await rhythmOf(roomId);
    expect(rhythm.gaps).toHaveLength(1);
    expect(rhythm.at).toBeGreaterThan(Date.now() - 30_000);
  });

  it("upgrades a conversation stored before the rhythm was kept, and answers it", async () => {
    const roomId = newRoomId();
    await send(roomId, `olderrow${roomId} one`);
    await fakeCampfire.waitForMessages(roomId, 1);
    await runInDurableObject(conversation(roomId), (_, state) =>
      state.storage.sql.exec("ALTER TABLE conversation DROP COLUMN cache_rhythm"),
    );
    // A deploy restarts every object: the new code meets the old row in a fresh instance.
    await runInDurableObject(conversation(roomId), (_, state) => state.abort("restarted by the test")).catch(() => {});
    await send(roomId, `olderrow${roomId} two`);
    await fakeCampfire.waitForMessages(roomId, 2);
    expect((await rhythmOf(roomId)).at).toBeGreaterThan(0);
  });
});

describe("tool rounds", { timeout: 30_000 }, () => {
  it("write no breakpoint on tool results that no later round reads, in a conversation whose turns answer after one round", async () => {
    const roomId = newRoomId();
    const marker = `oneround${roomId}`;
    await send(roomId, `${marker} what is pending? [fake:tool=list_reminders,id=${marker}]`, "butler");
    await fakeCampfire.waitForMessages(roomId, 1);
    const rounds = await fakeAnthropic.requestsMentioning(marker);
    expect(rounds).toHaveLength(2);
    expect(blocksOf(rounds[1]!).filter((block) => block.type === "tool_result" && block.cache_control)).toEqual([]);
    // The round is remembered, so the conversation learns how its tool use goes.
    expect((await rhythmOf(roomId, "butler")).rounds).toEqual([1]);
  });

  it("read everything the round before sent from the cache once turns go on past one round: one breakpoint moves to the newest tool result", async () => {
    const roomId = newRoomId();
    const marker = `rounds${roomId}`;
    // Two turns that each went on to a second round: a round's results are now worth caching for the next.
    for (const [n, earlier] of ["one", "two"].entries()) {
      await send(
        roomId,
        `${marker}${earlier} what is pending? [fake:tool=list_reminders,rounds=2,id=${marker}${earlier}]`,
        "butler",
      );
      await fakeCampfire.waitForMessages(roomId, n + 1);
    }
    await send(roomId, `${marker} what is pending? [fake:tool=list_reminders,rounds=2,id=${marker}]`, "butler");
    await fakeCampfire.waitForMessages(roomId, 3);
    // Only the third turn's requests hold its question (the others' words differ).
    const rounds = await fakeAnthropic.requestsMentioning(`${marker} what`);
    expect(rounds).toHaveLength(3);
    for (const [index, request] of rounds.entries()) {
      const marked = blocksOf(request).filter((block) => block.cache_control);
      expect(marked.length).toBeLessThanOrEqual(4);
      const results = marked.filter((block) => block.type === "tool_result");
      expect(results.map((block) => block.cache_control)).toEqual(
        index === 0 ? [] : [{ type: "ephemeral", ttl: "5m" }],
      );
    }
    // The last round re-sends nothing uncached of what the round before it sent, room context and time included.
    const [, before, last] = rounds.map((request) => (request as RecordedRequest & { usage: Usage }).usage);
    expect(last!.cache_read_input_tokens).toBeGreaterThanOrEqual(
      before!.cache_read_input_tokens + before!.cache_creation_input_tokens + before!.input_tokens,
    );
  });
});

describe("room context", { timeout: 30_000 }, () => {
  it("shows each room message once, with the turn it came before, and keeps it in the history the cache reads", async () => {
    const roomId = newRoomId();
    await fakeCampfire.say(roomId, "Grace Hopper", "the deploy is at 3pm");
    await send(roomId, `once${roomId} one`);
    await fakeCampfire.waitForMessages(roomId, 1);
    await fakeCampfire.say(roomId, "Alan Turing", "I'll bring snacks");
    await send(roomId, `once${roomId} two`);
    await fakeCampfire.waitForMessages(roomId, 2);
    const [first] = await fakeAnthropic.requestsMentioning(`once${roomId} one`);
    const [second] = await fakeAnthropic.requestsMentioning(`once${roomId} two`);
    expect(turnExtras(first!)).toContain("the deploy is at 3pm");
    // The second turn shows only what was said since; the first turn's context is in its history, where it was.
    expect(turnExtras(second!)).toContain("I'll bring snacks");
    expect(turnExtras(second!)).not.toContain("the deploy is at 3pm");
    expect(JSON.stringify(second!.body.messages[0])).toContain("the deploy is at 3pm");
    const usage = (request: RecordedRequest) => (request as RecordedRequest & { usage: Usage }).usage;
    expect(usage(second!).cache_read_input_tokens).toBeGreaterThanOrEqual(
      usage(first!).cache_read_input_tokens + usage(first!).cache_creation_input_tokens,
    );
    expect((await storedTranscript(roomId))[0]).toMatchObject({
      role: "user",
      context: { text: expect.stringContaining("the deploy is at 3pm") },
    });
  });
});
