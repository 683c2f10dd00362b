import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeAnthropic, startFakeAnthropic } from "../fakes/anthropic.ts";
import { campfirePayload, type FakeCampfire, startFakeCampfire } from "../fakes/campfire.ts";
import { type DevServer, startDevServer } from "./dev-server.ts";

const KEY = "4-GZfqGLxdULBM";
const FORGETFUL_KEY = "5-FoRgEtFuLkEy";
const BUTLER_KEY = "6-ButlerKeyAbc";
const BOTS = {
  assistant: { name: "Assistant", system_prompt: "Be brief." },
  // The same bot with a tiny TTL, so one server can show both remembering and forgetting.
  forgetful: { name: "Forgetful", session_ttl: "3s" },
  butler: { name: "Butler", tools: ["reminders"] },
  // The assistant, thinking before it answers.
  thinker: { name: "Thinker", system_prompt: "Be brief.", max_tokens: 4096, thinking: { budget_tokens: 2048 } },
  // Writes files with Anthropic's code execution and posts them into the room.
  reporter: { name: "Reporter", code_execution: true, skills: ["xlsx"] },
};

let anthropic: FakeAnthropic;
let campfire: FakeCampfire;
let server: DevServer;
let nextMessageId = 1;
let nextRoomId = 500;

/** Delivers a mention exactly as Campfire would, with its 7-second limit. */
const KEYS = {
  assistant: KEY,
  forgetful: FORGETFUL_KEY,
  butler: BUTLER_KEY,
  thinker: "7-ThinkerKey12",
  reporter: "8-ReporterKey1",
};

function mention(roomId: number, plain: string, bot: keyof typeof KEYS = "assistant") {
  const payload = campfirePayload({ roomId, botKey: KEYS[bot], messageId: nextMessageId++, plain });
  return campfire.deliver(`${server.url}/webhook/${bot}`, payload);
}

const requestsMentioning = (marker: string) =>
  anthropic.requests.filter((request) => JSON.stringify(request.body).includes(marker));

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  campfire = await startFakeCampfire({ botKeys: Object.values(KEYS) });
  server = await startDevServer({
    CAMPFIRE_URL: campfire.url,
    ANTHROPIC_BASE_URL: anthropic.url,
    ANTHROPIC_API_KEY: "sk-ant-e2e",
    BOT_KEY_ASSISTANT: KEY,
    BOT_KEY_FORGETFUL: FORGETFUL_KEY,
    BOT_KEY_BUTLER: BUTLER_KEY,
    BOT_KEY_THINKER: KEYS.thinker,
    BOT_KEY_REPORTER: KEYS.reporter,
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
    await campfire.waitForMessages(roomId, 1, 20_000);
    await expect.poll(() => campfire.messages(roomId)[0]!.body, { timeout: 10_000 }).toContain("(turn 1;");
    expect(campfire.messages(roomId).map((m) => m.body)).not.toContain("Failed to respond within 7 seconds");
  });

  it("survives kill -9 in the middle of a streamed answer: after restart that message is completed, once", async () => {
    const roomId = nextRoomId++;
    const marker = "crashtest";
    await mention(roomId, `${marker} [fake:chunks=10,chunkDelay=600,id=${marker}]`);
    // Half the answer is in the room, still growing, when the process dies.
    await campfire.waitForMessages(roomId, 1, 15_000);
    await server.kill();
    const [half] = campfire.messages(roomId);
    expect(half!.body).toMatch(/<p>…<\/p>$/);

    await server.restart();
    await expect
      .poll(() => campfire.messages(roomId)[0]!.body, { timeout: 30_000 })
      .not.toMatch(/<p>…<\/p>$/)
      .catch((error: Error) => {
        throw new Error(
          `${error.message}\nmessages: ${JSON.stringify(campfire.messages(roomId))}\n${server.output().slice(-3000)}`,
        );
      });
    // Give a second answer time to show up, if there were to be one.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const messages = campfire.messages(roomId);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.id).toBe(half!.id);
    expect(messages[0]!.body).toContain(`Echo: Ada Lovelace: ${marker}`);
  }, 90_000);

  it.each(["assistant", "thinker"] as const)(
    "reads at least 90 percent of what the previous turn sent from the prompt cache, room context included: %s",
    async (bot) => {
      const roomId = nextRoomId++;
      campfire.say(roomId, { id: 21, name: "Grace Hopper" }, "Reminder: the quarterly review is on Friday at 10.");
      campfire.say(roomId, { id: 22, name: "Alan Turing" }, "I will bring the numbers for the review.");
      for (let turn = 1; turn <= 4; turn++) {
        await mention(roomId, `cachecheck ${bot} turn ${turn}: what should I prepare for the review?`, bot);
        await campfire.waitForMessages(roomId, turn);
        campfire.say(roomId, { id: 21, name: "Grace Hopper" }, `noted, item ${turn}`);
      }
      const usage = requestsMentioning(`cachecheck ${bot} turn 1:`).map((request) => request.usage!);
      expect(usage).toHaveLength(4);
      const last = requestsMentioning(`cachecheck ${bot} turn 4:`)[0]!.body as { thinking?: unknown };
      expect(JSON.stringify(last)).toContain("Room context");
      expect(last.thinking !== undefined).toBe(bot === "thinker");
      for (let turn = 2; turn <= 4; turn++) {
        const previous = usage[turn - 2]!;
        const stableBefore = previous.cache_read_input_tokens + previous.cache_creation_input_tokens;
        expect(usage[turn - 1]!.cache_read_input_tokens).toBeGreaterThanOrEqual(0.9 * stableBefore);
      }
    },
  );

  it('answers "make me a CSV" with the text, then the file, in the room', async () => {
    const roomId = nextRoomId++;
    await mention(roomId, "make me a CSV of the numbers 1-10 [fake:file=numbers.csv,id=e2e-csv]", "reporter");
    const [text, file] = await campfire.waitForMessages(roomId, 2);
    expect(text!.body).toContain("Here is numbers.csv");
    expect(file!.attachment).toMatchObject({ name: "numbers.csv", type: "text/csv" });
  });

  it("posts a file once when killed -9 while Campfire is still taking it", async () => {
    const roomId = nextRoomId++;
    // The text goes through; the file's post takes 1.5 s, and the server dies meanwhile.
    campfire.failNext({
      status: 200,
      times: 1,
      room: roomId,
      method: "POST",
      endsWith: "/messages",
      after: 1,
      hangMs: 1_500,
    });
    await mention(roomId, "a chart please [fake:file=chart.csv,id=e2e-csv-kill]", "reporter");
    await expect
      .poll(() => campfire.calls.filter((call) => call.roomId === roomId && call.method === "POST").length, {
        timeout: 15_000,
      })
      .toBeGreaterThanOrEqual(3);
    await server.kill();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await server.restart();
    const messages = await campfire.waitForMessages(roomId, 2, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(campfire.messages(roomId).map((m) => m.attachment?.name ?? "text")).toEqual(["text", "chart.csv"]);
    expect(messages[1]!.attachment!.name).toBe("chart.csv");
  }, 60_000);

  it("fires a reminder set before a kill -9, once, after the restart", async () => {
    const roomId = nextRoomId++;
    const input = encodeURIComponent(JSON.stringify({ at: "in 0.12 minutes", text: "water the plants" }));
    await mention(roomId, `remind me [fake:tool=set_reminder,input=${input},id=e2e-reminder]`, "butler");
    const [confirmation] = await campfire.waitForMessages(roomId, 1);
    expect(confirmation!.body).toMatch(/Reminder #1 set for/);
    await server.kill();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await server.restart();

    const messages = await campfire.waitForMessages(roomId, 2, 30_000);
    expect(messages[1]!.body).toContain("Reminder</strong> for Ada Lovelace: water the plants");
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(campfire.messages(roomId)).toHaveLength(2);
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
