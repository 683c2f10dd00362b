import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeAnthropic, startFakeAnthropic } from "../fakes/anthropic.ts";
import { campfirePayload, type FakeCampfire, startFakeCampfire } from "../fakes/campfire.ts";
import { type DevServer, startDevServer } from "./dev-server.ts";

const KEY = "4-GZfqGLxdULBM";
const FORGETFUL_KEY = "5-FoRgEtFuLkEy";
const BOTS = {
  assistant: { name: "Assistant", system_prompt: "Be brief." },
  // The same bot with a tiny TTL, so one server can show both remembering and forgetting.
  forgetful: { name: "Forgetful", session_ttl: "3s" },
};

let anthropic: FakeAnthropic;
let campfire: FakeCampfire;
let server: DevServer;
let nextMessageId = 1;
let nextRoomId = 500;

/** Delivers a mention exactly as Campfire would, with its 7-second limit. */
function mention(roomId: number, plain: string, bot: "assistant" | "forgetful" = "assistant") {
  const payload = campfirePayload({ roomId, botKey: bot === "assistant" ? KEY : FORGETFUL_KEY, messageId: nextMessageId++, plain });
  return campfire.deliver(`${server.url}/webhook/${bot}`, payload);
}

const requestsMentioning = (marker: string) => anthropic.requests.filter((request) => JSON.stringify(request.body).includes(marker));

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  campfire = await startFakeCampfire({ botKeys: [KEY, FORGETFUL_KEY] });
  server = await startDevServer({
    CAMPFIRE_URL: campfire.url,
    ANTHROPIC_BASE_URL: anthropic.url,
    ANTHROPIC_API_KEY: "sk-ant-e2e",
    BOT_KEY_ASSISTANT: KEY,
    BOT_KEY_FORGETFUL: FORGETFUL_KEY,
    BOTS: JSON.stringify(BOTS),
  });
}, 90_000);

afterAll(async () => {
  await server?.stop();
  await Promise.all([anthropic?.close(), campfire?.close()]);
});

describe("the bot under wrangler dev", () => {
  it("acks a mention at once and answers it through the bot API", async () => {
    const roomId = nextRoomId++;
    const delivery = await mention(roomId, "hello from e2e");
    expect(delivery).toMatchObject({ status: 204, contentType: null, outcome: "nothing" });
    expect(delivery.ms).toBeLessThan(7_000);
    const [reply] = await campfire.waitForMessages(roomId, 1);
    expect(reply!.body).toContain("Echo: Ada Lovelace: hello from e2e");
    expect(reply!.contentType).toMatch(/^text\/html/);
  });

  it("remembers: the second message is answered knowing the first", async () => {
    const roomId = nextRoomId++;
    await mention(roomId, "first of two");
    await campfire.waitForMessages(roomId, 1);
    await mention(roomId, "second of two");
    const replies = await campfire.waitForMessages(roomId, 2);
    expect(replies[1]!.body).toContain("earlier user messages: 1");
    expect(replies[1]!.body).toContain("first: &quot;Ada Lovelace: first of two&quot;");
  });

  it("acks fast even when Claude takes 9 seconds, and still posts the answer", async () => {
    const roomId = nextRoomId++;
    const delivery = await mention(roomId, "slowpoke [fake:delay=9000,id=slow]");
    expect(delivery.outcome).toBe("nothing");
    expect(delivery.ms).toBeLessThan(1_000);
    const [reply] = await campfire.waitForMessages(roomId, 1, 20_000);
    expect(reply!.body).toContain("slowpoke");
    expect(campfire.messages(roomId).map((m) => m.body)).not.toContain("Failed to respond within 7 seconds");
  });

  it("survives kill -9 in the middle of an answer: after restart the answer arrives, once", async () => {
    const roomId = nextRoomId++;
    const marker = "crashtest";
    await mention(roomId, `${marker} [fake:delay=3000,id=${marker}]`);
    await expect.poll(() => requestsMentioning(marker).length, { timeout: 10_000 }).toBe(1);
    await server.kill();
    expect(campfire.messages(roomId)).toEqual([]);

    await server.restart();
    const [reply] = await campfire.waitForMessages(roomId, 1, 30_000);
    expect(reply!.body).toContain(marker);
    // Give a second answer time to show up, if there were to be one.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(campfire.messages(roomId)).toHaveLength(1);
  }, 90_000);

  it("forgets a conversation after a tiny SESSION_TTL", async () => {
    const roomId = nextRoomId++;
    await mention(roomId, "remember the number 42", "forgetful");
    await campfire.waitForMessages(roomId, 1);
    await mention(roomId, "still there?", "forgetful");
    expect((await campfire.waitForMessages(roomId, 2))[1]!.body).toContain("earlier user messages: 1");

    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await mention(roomId, "what was the number?", "forgetful");
    const replies = await campfire.waitForMessages(roomId, 3);
    expect(replies[2]!.body).toContain("earlier user messages: 0");
    expect(server.output()).toContain('"event":"conversation.evicted"');
  }, 30_000);
});
