import { env } from "cloudflare:workers";
import { listDurableObjectIds } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  campfirePayload,
  conversation,
  fakeAnthropic,
  fakeCampfire,
  newRoomId,
  postWebhook,
  TEST_KEYS,
  userTables,
} from "./helpers";

// The gatekeeper (test/bots.ts) serves rooms 9001, 9002 and 9004 and people 7 and 8; never room 9003 nor person 13;
// no direct messages. Each refusal has a room of its own: looking into a room's object creates it.
const KEY = TEST_KEYS.gatekeeper;
const ROOM_SENTENCE = "I'm not enabled in this room — ask a Campfire admin.";
const PERSON_SENTENCE = "I'm not enabled for you — ask a Campfire admin.";
const DIRECT_SENTENCE = "I don't take direct messages — mention me in a room instead.";

afterEach(() => vi.restoreAllMocks());

/** Log lines as parsed JSON, from the moment this is called. */
function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  for (const level of ["log", "warn", "error"] as const)
    vi.spyOn(console, level).mockImplementation(
      (line: unknown) => void lines.push(JSON.parse(String(line)) as Record<string, unknown>),
    );
  return lines;
}

async function conversationExists(roomId: number): Promise<boolean> {
  const id = conversation(roomId, "gatekeeper").id;
  return (await listDurableObjectIds(env.CONVERSATIONS)).some((other) => other.equals(id));
}

const ask = (roomId: number, userId: number, text: string, direct = false) =>
  postWebhook(campfirePayload({ roomId, userId, text, direct, key: KEY }), { botId: "gatekeeper" });

describe("who may use a bot", () => {
  it.each<[string, number, number, boolean, string, string]>([
    ["a blocked person, even in a room the bot serves", 9001, 13, false, PERSON_SENTENCE, "user_blocked"],
    ["a person not on the bot's list", 9004, 9, false, PERSON_SENTENCE, "user_not_allowed"],
    ["a direct message to a bot that takes none", newRoomId(), 7, true, DIRECT_SENTENCE, "direct_messages_off"],
    ["a blocked room", 9003, 7, false, ROOM_SENTENCE, "room_blocked"],
    ["a room not on the bot's list", newRoomId(), 7, false, ROOM_SENTENCE, "room_not_allowed"],
  ])(
    "refuses %s with one sentence Campfire posts, touching no conversation, calling no model, storing nothing",
    async (_, roomId, userId, direct, sentence, rule) => {
      const logs = captureLogs();
      const marker = `refusedword${rule}${roomId}`;
      const response = await ask(roomId, userId, `${marker} may I?`, direct);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(await response.text()).toBe(sentence);

      expect(await conversationExists(roomId)).toBe(false);
      expect(await userTables(roomId, "gatekeeper")).toEqual([]);
      expect(await fakeAnthropic.requestsMentioning(marker)).toEqual([]);
      // Not even the 👀: Campfire hears nothing from the bot but the response.
      expect(await fakeCampfire.calls(roomId)).toEqual([]);
      const refused = logs.filter((line) => line.event === "webhook.refused");
      expect(refused).toEqual([
        { level: "info", event: "webhook.refused", bot: "gatekeeper", room: roomId, user: userId, rule },
      ]);
      expect(JSON.stringify(logs)).not.toContain(marker);
    },
  );

  it("answers a listed person in a listed room as usual", async () => {
    for (const [userId, name] of [
      [7, "Ada Lovelace"],
      [8, "Grace Hopper"],
    ] as const) {
      const marker = `welcomeword${userId}`;
      const response = await postWebhook(
        campfirePayload({ roomId: 9002, userId, userName: name, text: `${marker} hello`, key: KEY }),
        { botId: "gatekeeper" },
      );
      expect(response.status).toBe(204);
      await expect
        .poll(async () => (await fakeCampfire.messages(9002)).filter((m) => m.body.includes(marker)).length, {
          timeout: 10_000,
        })
        .toBe(1);
    }
  });

  it("refuses a bare mention from someone it does not serve with the refusal, not the greeting", async () => {
    const response = await ask(9001, 13, "");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(PERSON_SENTENCE);
  });

  it("tells a caller without the bot key nothing about who it serves", async () => {
    const roomId = newRoomId();
    const response = await postWebhook(
      campfirePayload({ roomId, userId: 13, text: "who do you serve?", key: "16-WRONGWRONGW" }),
      { botId: "gatekeeper" },
    );
    expect(response.status).toBe(401);
    expect(await response.text()).not.toMatch(/enabled|direct messages/);
  });

  it("takes the older flat payload, which has no direct rooms, by its room and person alone", async () => {
    const flat = (roomId: number, userId: number, content: string) =>
      postWebhook(
        { creator: { id: userId, name: "Grace Hopper" }, room: { id: roomId, name: null }, content },
        { botId: "gatekeeper", headers: { authorization: `Bearer ${KEY}` } },
      );
    const served = await flat(9002, 8, "flatword unnamed room");
    expect(served.status).toBe(204);
    await expect
      .poll(async () => (await fakeCampfire.messages(9002)).filter((m) => m.body.includes("flatword")).length, {
        timeout: 10_000,
      })
      .toBe(1);
    const refused = await flat(9001, 13, "flatword blocked");
    expect(await refused.text()).toBe(PERSON_SENTENCE);
  });
});
