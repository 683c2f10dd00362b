import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SCHEMA } from "../../src/conversation/schema";
import {
  adminGet,
  campfirePayload,
  conversation,
  fakeAnthropic,
  fakeCampfire,
  newRoomId,
  postWebhook,
  runUntilIdle,
  TEST_KEYS,
} from "./helpers";

// The understudy (test/bots.ts) asks claude-sonnet-5-5, and claude-haiku-fallback-test when that fails.
const PRIMARY = "claude-sonnet-5-5";
const FALLBACK = "claude-haiku-fallback-test";

afterEach(() => vi.restoreAllMocks());

interface UsageMetrics {
  bots: Record<string, { turns: number; fallbacks: number }>;
}
const fallbacks = async () => (await adminGet<UsageMetrics>("/metrics/usage")).bots.understudy!.fallbacks;

function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  for (const level of ["log", "warn", "error"] as const)
    vi.spyOn(console, level).mockImplementation(
      (line: unknown) => void lines.push(JSON.parse(String(line)) as Record<string, unknown>),
    );
  return lines;
}

async function send(roomId: number, text: string) {
  const response = await postWebhook(campfirePayload({ roomId, text, key: TEST_KEYS.understudy }), {
    botId: "understudy",
  });
  expect(response.status).toBe(204);
}

describe("when the bot's model is down: its fallback", () => {
  it.each<[string, number, string]>([
    ["overloaded (529)", 529, "overloaded"],
    ["rate-limited (429)", 429, "rate_limited"],
    ["failing (500)", 500, "unavailable"],
  ])(
    "answers the turn when the primary is %s on every try, with no apology, and is counted",
    async (_, status, kind) => {
      const logs = captureLogs();
      const roomId = newRoomId();
      const marker = `fallbackword${status}x${roomId}`;
      const before = await fallbacks();
      await send(roomId, `${marker} are you there? [fake:status=${status},model=${PRIMARY},id=${marker}]`);
      const [reply] = await fakeCampfire.waitForMessages(roomId, 1);
      await runUntilIdle(roomId, 20, "understudy");

      expect(reply!.body).toContain(`Echo: Ada Lovelace: ${marker} are you there?`);
      expect(await fakeCampfire.messages(roomId)).toHaveLength(1);
      expect((await fakeAnthropic.requestsMentioning(marker)).map((request) => request.body.model)).toEqual([
        PRIMARY,
        FALLBACK,
      ]);
      const fellBack = logs.filter((line) => line.event === "claude.fallback");
      expect(fellBack).toEqual([
        { level: "warn", event: "claude.fallback", bot: "understudy", kind, status, fallback_model: FALLBACK },
      ]);
      expect(logs.find((line) => line.event === "reply.posted" && line.room === roomId)).toMatchObject({
        fallback: FALLBACK,
      });
      await expect.poll(fallbacks).toBe(before + 1);
    },
  );

  it("counts each fallback turn of a live conversation as it happens, and not a turn the primary answered", async () => {
    const roomId = newRoomId();
    const marker = `fallbacklive${roomId}`;
    const before = await fallbacks();
    await send(roomId, `${marker} one [fake:status=529,model=${PRIMARY},id=${marker}a]`);
    await fakeCampfire.waitForMessages(roomId, 1);
    await send(roomId, `${marker} two`);
    await fakeCampfire.waitForMessages(roomId, 2);
    await send(roomId, `${marker} three [fake:status=529,model=${PRIMARY},id=${marker}c]`);
    await fakeCampfire.waitForMessages(roomId, 3);
    await expect.poll(fallbacks).toBe(before + 2);
    // The second turn's one request (later turns carry it in their history) went to the primary, which answered.
    expect((await fakeAnthropic.requestsMentioning(`${marker} two`))[0]!.body.model).toBe(PRIMARY);
    expect((await fakeAnthropic.requestsMentioning(`${marker} three`)).map((request) => request.body.model)).toEqual([
      PRIMARY,
      FALLBACK,
    ]);
  });

  it("does not fall back on a rejected key (401), our own error: the room is told at once", async () => {
    const roomId = newRoomId();
    const marker = `fallbackkey${roomId}`;
    await send(roomId, `${marker} [fake:status=401,model=${PRIMARY},id=${marker}]`);
    const [message] = await fakeCampfire.waitForMessages(roomId, 1);
    expect(message!.body).toContain("the Anthropic API key was rejected");
    expect((await fakeAnthropic.requestsMentioning(marker)).map((request) => request.body.model)).toEqual([PRIMARY]);
  });

  it("when the fallback is down too, retries the turn as without one and then tells the room why", async () => {
    const roomId = newRoomId();
    const marker = `fallbackdown${roomId}`;
    await send(roomId, `${marker} [fake:status=529,id=${marker}]`);
    await runUntilIdle(roomId, 20, "understudy");
    const messages = await fakeCampfire.messages(roomId);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.body).toContain("Sorry, I could not answer: Claude is overloaded right now.");
    // Six tries, each the primary then the fallback.
    expect((await fakeAnthropic.requestsMentioning(marker)).map((request) => request.body.model)).toEqual(
      Array(6).fill([PRIMARY, FALLBACK]).flat(),
    );
  });

  it("counts fallback turns in a conversation stored before they were counted", async () => {
    const roomId = newRoomId();
    const marker = `fallbackolder${roomId}`;
    await runInDurableObject(conversation(roomId, "understudy"), (_, state) =>
      state.storage.sql.exec(SCHEMA.replace(/,\n\s*fallbacks [^\n]*/, "")),
    );
    await send(roomId, `${marker} [fake:status=529,model=${PRIMARY},id=${marker}]`);
    await fakeCampfire.waitForMessages(roomId, 1);
    const count = () =>
      runInDurableObject(
        conversation(roomId, "understudy"),
        (_, state) => state.storage.sql.exec<{ n: number }>("SELECT fallbacks AS n FROM conversation").one().n,
      );
    await expect.poll(count).toBe(1);
  });
});
