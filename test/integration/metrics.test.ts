import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, metrics } from "../../src/admin";
import {
  ADMIN_TOKEN,
  adminGet,
  alarmAt,
  campfirePayload,
  fakeCampfire,
  newRoomId,
  postWebhook,
  type SessionsMetrics,
  storedTranscript,
  userTables,
} from "./helpers";

interface UsageMetrics {
  bots: Record<
    string,
    {
      turns: number;
      tokens: { input: number; output: number; cacheRead: number; cacheWrite: number };
      billing: { doRequests: number; rowsRead: number; rowsWritten: number; subrequests: number };
    }
  >;
}

describe("operator endpoints", () => {
  it("do not exist unless ADMIN_TOKEN is set", async () => {
    const withoutToken = { ...env, ADMIN_TOKEN: undefined };
    expect((await metrics.request("/sessions", {}, withoutToken)).status).toBe(404);
    expect((await metrics.request("/usage", {}, withoutToken)).status).toBe(404);
    expect((await admin.request("/sessions/assistant/1", { method: "DELETE" }, withoutToken)).status).toBe(404);
  });

  it.each([undefined, "Bearer wrong-token", "Basic admin-test-token"])(
    "refuse the authorization %s with 401",
    async (authorization) => {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      const response = await exports.default.fetch("https://bot.example/metrics/sessions", { headers });
      expect(response.status).toBe(401);
      expect(await response.text()).toContain("ADMIN_TOKEN");
    },
  );

  // Each /metrics read asks every test bot's 16 registry shards (hundreds of objects): slow on a busy machine.
  it("count a conversation's turns and tokens, and keep them after it is ended by an admin", {
    timeout: 30_000,
  }, async () => {
    const roomId = newRoomId();
    const before = await adminGet<UsageMetrics>("/metrics/usage");
    const sessionsBefore = await adminGet<SessionsMetrics>("/metrics/sessions");

    for (const text of ["metrics one", "metrics two"]) {
      await postWebhook(campfirePayload({ roomId, text }));
      await fakeCampfire.waitForMessages(roomId, text.endsWith("one") ? 1 : 2);
    }
    // A live conversation is counted from its first answer; its running totals arrive when it ends.
    await expect
      .poll(async () => (await adminGet<UsageMetrics>("/metrics/usage")).bots.assistant!.turns)
      .toBeGreaterThan(before.bots.assistant!.turns);
    const alive = await adminGet<SessionsMetrics>("/metrics/sessions");
    expect(alive.bots.assistant!.alive).toBeGreaterThanOrEqual(1);
    expect(Date.parse(alive.bots.assistant!.newestActivity!)).toBeGreaterThan(Date.now() - 60_000);

    const ended = await exports.default.fetch(`https://bot.example/admin/sessions/assistant/${roomId}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(await ended.json()).toEqual({ ended: true });
    expect(await userTables(roomId)).toEqual([]);
    expect(await alarmAt(roomId)).toBeNull();

    const after = await adminGet<SessionsMetrics>("/metrics/sessions");
    expect(after.bots.assistant!.evictions).toBe(sessionsBefore.bots.assistant!.evictions + 1);
    const usage = (await adminGet<UsageMetrics>("/metrics/usage")).bots.assistant!;
    expect(usage.turns).toBe(before.bots.assistant!.turns + 2);
    expect(usage.tokens.input).toBeGreaterThan(before.bots.assistant!.tokens.input);
    expect(usage.tokens.output).toBeGreaterThan(before.bots.assistant!.tokens.output);
    // What the conversation cost on Cloudflare comes with it: two webhooks, their alarms, the admin's end.
    expect(usage.billing.doRequests - before.bots.assistant!.billing.doRequests).toBeGreaterThanOrEqual(5);
    expect(usage.billing.rowsWritten).toBeGreaterThan(before.bots.assistant!.billing.rowsWritten);
    expect(usage.billing.subrequests - before.bots.assistant!.billing.subrequests).toBeGreaterThanOrEqual(4);

    // The room can start over: the ended object wakes for the next message as a new conversation.
    await postWebhook(campfirePayload({ roomId, text: "metrics three" }));
    await fakeCampfire.waitForMessages(roomId, 3);
    await expect.poll(async () => (await storedTranscript(roomId)).length).toBe(2);
  });

  it("refuse to end a conversation of an unknown bot or a room that is not a number", async () => {
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
    expect(
      (await exports.default.fetch("https://bot.example/admin/sessions/nobody/1", { method: "DELETE", headers }))
        .status,
    ).toBe(404);
    expect(
      (await exports.default.fetch("https://bot.example/admin/sessions/assistant/abc", { method: "DELETE", headers }))
        .status,
    ).toBe(400);
    const none = await exports.default.fetch(`https://bot.example/admin/sessions/assistant/${newRoomId()}`, {
      method: "DELETE",
      headers,
    });
    expect(await none.json()).toEqual({ ended: false });
  });
});
