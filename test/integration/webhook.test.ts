import { listDurableObjectIds } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BOT_KEY, campfirePayload, conversation, fakeAnthropic, fakeCampfire, newRoomId, postWebhook } from "./helpers";

/** Whether a Durable Object was ever created for this room: a refused webhook must not create one. */
async function conversationExists(roomId: number): Promise<boolean> {
  const id = conversation(roomId).id;
  return (await listDurableObjectIds(env.CONVERSATIONS)).some((other) => other.equals(id));
}

describe("POST /webhook/:botId", () => {
  it("acks with 204, no body and no Content-Type, then the answer arrives through the bot API", async () => {
    const roomId = newRoomId();
    const response = await postWebhook(campfirePayload({ roomId, text: "hello there ackword" }));
    expect(response.status).toBe(204);
    expect(response.headers.get("content-type")).toBeNull();
    expect(await response.text()).toBe("");

    const [reply] = await fakeCampfire.waitForMessages(roomId, 1);
    expect(reply!.body).toContain("Echo: Ada Lovelace: hello there ackword");
    expect(reply!.body).toMatch(/^<p>/);
    const [request] = await fakeAnthropic.requestsMentioning("ackword");
    expect(request!.headers.authorization).toMatch(/^Bearer/);
    expect(JSON.stringify(request!.body.system)).toContain('room \\"Watercooler\\"');
  });

  it("answers a direct message, whose room Campfire sends without a name, and tells the model who it is talking to", async () => {
    const roomId = newRoomId();
    const response = await postWebhook(
      campfirePayload({ roomId, text: "directword are you there?", direct: true, userName: "Ada Lovelace" }),
    );
    expect(response.status).toBe(204);
    const [reply] = await fakeCampfire.waitForMessages(roomId, 1);
    expect(reply!.body).toContain("directword are you there?");
    const [request] = await fakeAnthropic.requestsMentioning("directword");
    expect(JSON.stringify(request!.body.system)).toContain('room \\"Direct conversation with Ada Lovelace\\"');

    // Someone else writing in the same direct room leaves the label, and the cached system prompt, as they were.
    await postWebhook(
      campfirePayload({ roomId, text: "directword-two me too", direct: true, userId: 8, userName: "Grace Hopper" }),
    );
    await expect
      .poll(async () => (await fakeAnthropic.requestsMentioning("directword-two")).length, { timeout: 10_000 })
      .toBe(1);
    const [second] = await fakeAnthropic.requestsMentioning("directword-two");
    // The same words, so the same cached prefix (how long each turn keeps it is cachePlan's to choose).
    const texts = (system: unknown) => (system as { text: string }[]).map((block) => block.text);
    expect(texts(second!.body.system)).toEqual(texts(request!.body.system));
  });

  it("accepts the older flat shape when the bot key comes as a bearer token", async () => {
    const roomId = newRoomId();
    const legacy = {
      creator: { id: 9, name: "Grace Hopper" },
      room: { id: roomId, name: "Lab" },
      content: "legacyword ping",
    };
    const response = await postWebhook(legacy, { headers: { authorization: `Bearer ${BOT_KEY}` } });
    expect(response.status).toBe(204);
    const [reply] = await fakeCampfire.waitForMessages(roomId, 1);
    expect(reply!.body).toContain("Grace Hopper: legacyword ping");
  });

  it("answers a bare mention kindly in the response itself, without the model or a conversation", async () => {
    const roomId = newRoomId();
    const response = await postWebhook(campfirePayload({ roomId, text: "", userName: "Ada Lovelace" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toMatch(/^Hi Ada!/);
    expect(await conversationExists(roomId)).toBe(false);
  });

  const refusedRoom = newRoomId();
  const refusals: [string, () => Promise<Response>, number, RegExp][] = [
    ["a body that is not JSON", () => postWebhook("{oops refusalword"), 400, /not JSON/],
    [
      "a payload missing a field",
      () => postWebhook({ ...campfirePayload({ roomId: refusedRoom, text: "refusalword" }), user: undefined }),
      400,
      /user is missing/,
    ],
    [
      "a mistyped field",
      () =>
        postWebhook({
          ...campfirePayload({ roomId: refusedRoom, text: "refusalword" }),
          room: { id: "x", name: "a", path: "/" },
        }),
      400,
      /room\.id must be a number/,
    ],
    [
      "a wrong bot key",
      () => postWebhook(campfirePayload({ roomId: refusedRoom, text: "refusalword", key: "4-WRONGWRONGWR" })),
      401,
      /does not match BOT_KEY_ASSISTANT/,
    ],
    [
      "the flat shape without a bearer key",
      () =>
        postWebhook({ creator: { id: 1, name: "X" }, room: { id: refusedRoom, name: "R" }, content: "refusalword" }),
      401,
      /no bot key/,
    ],
    [
      "the flat shape with a wrong bearer key",
      () =>
        postWebhook(
          { creator: { id: 1, name: "X" }, room: { id: refusedRoom, name: "R" }, content: "refusalword" },
          { headers: { authorization: "Bearer 4-nope" } },
        ),
      401,
      /does not match/,
    ],
    [
      "an unknown bot",
      () => postWebhook(campfirePayload({ roomId: refusedRoom, text: "refusalword" }), { botId: "nobody" }),
      404,
      /no bot "nobody"/,
    ],
    ["a GET", () => exports.default.fetch(`https://bot.example/webhook/assistant`), 405, /use POST/],
    [
      "a Content-Length over 1 MB",
      () =>
        postWebhook(
          JSON.stringify(campfirePayload({ roomId: refusedRoom, text: `refusalword ${"x".repeat(1_100_000)}` })),
        ),
      413,
      /larger than 1000000 bytes/,
    ],
    [
      "a chunked body over 1 MB that declares no length",
      () => {
        const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent++ < 20) controller.enqueue(chunk);
            else controller.close();
          },
        });
        return exports.default.fetch(
          new Request("https://bot.example/webhook/assistant", { method: "POST", body, duplex: "half" } as RequestInit),
        );
      },
      413,
      /larger than/,
    ],
  ];
  it.each(refusals)(
    "refuses %s with a readable reason, no Content-Type, no model call and no conversation",
    async (_, send, status, reason) => {
      const response = await send();
      expect(response.status).toBe(status);
      expect(await response.text()).toMatch(reason);
      // Campfire would post a typed body into the room as an attachment.
      expect(response.headers.get("content-type")).toBeNull();
      expect(await conversationExists(refusedRoom)).toBe(false);
      expect(await fakeAnthropic.requestsMentioning("refusalword")).toEqual([]);
    },
  );
});

describe("GET /health", () => {
  it("lists each bot and whether it is configured, without any secret", async () => {
    for (const path of ["/", "/health"]) {
      const response = await exports.default.fetch(`https://bot.example${path}`);
      expect(response.status).toBe(200);
      const health = (await response.json()) as { version: string; bots: { id: string; configured: boolean }[] };
      expect(health.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(health.bots).toContainEqual(expect.objectContaining({ id: "assistant", configured: true }));
      const text = JSON.stringify(health);
      expect(text).not.toContain(BOT_KEY);
      expect(text).not.toContain(env.ANTHROPIC_API_KEY);
    }
  });
});

describe("the local playground", () => {
  it("does not exist unless PLAYGROUND is on, as in every deployment", async () => {
    for (const path of [
      "/playground",
      "/playground/api/config",
      "/playground/campfire/rooms/1/4-GZfqGLxdULBM/messages",
    ]) {
      expect((await exports.default.fetch(`https://bot.example${path}`)).status).toBe(404);
    }
  });
});
