import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { MCP_TOKEN } from "../bots";
import {
  alarmAt,
  campfirePayload,
  conversation,
  fakeAnthropic,
  fakeCampfire,
  newRoomId,
  postWebhook,
  TEST_KEYS,
  userTables,
} from "./helpers";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks the butler to use `tool` (with `input`) for `rounds` rounds, through the fake model's directive. */
async function askButler(roomId: number, marker: string, tool: string, input?: unknown, rounds = 1) {
  const encoded = input === undefined ? "" : `,input=${encodeURIComponent(JSON.stringify(input))}`;
  const text = `${marker} [fake:tool=${tool}${encoded},rounds=${rounds},id=${marker}]`;
  const response = await postWebhook(campfirePayload({ roomId, text, key: TEST_KEYS.butler }), { botId: "butler" });
  expect(response.status).toBe(204);
  const [reply] = await fakeCampfire.waitForMessages(roomId, 1, 10_000);
  return reply!.body;
}

describe("the tool loop", () => {
  it("runs a tool Claude calls and gives it the result", async () => {
    const roomId = newRoomId();
    const reply = await askButler(roomId, `one${roomId}`, "list_reminders");
    expect(reply).toContain("No reminders are pending in this room.");
    const requests = await fakeAnthropic.requestsMentioning(`one${roomId}`);
    expect(requests).toHaveLength(2);
    const results = requests[1]!.body.messages.at(-1)!.content as { type: string; is_error?: boolean }[];
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ type: "tool_result" });
    expect(results[0]!.is_error).toBeUndefined();
  });

  it("loops through several rounds until Claude is done", async () => {
    const roomId = newRoomId();
    await fakeCampfire.say(roomId, "Grace Hopper", "standup moved to 9:30");
    const reply = await askButler(roomId, `rounds${roomId}`, "room_history", undefined, 2);
    expect(reply).toContain("standup moved to 9:30");
    expect(await fakeAnthropic.requestsMentioning(`rounds${roomId}`)).toHaveLength(3);
  });

  it("answers a failing tool with is_error and a message Claude can use", async () => {
    const roomId = newRoomId();
    const reply = await askButler(roomId, `err${roomId}`, "cancel_reminder", { id: 999 });
    expect(reply).toContain("There is no pending reminder #999 in this room.");
    expect(reply).toContain("is_error&quot;:true");
  });

  it("rejects input that does not fit the tool's schema, and a tool the bot does not have", async () => {
    const bad = newRoomId();
    expect(await askButler(bad, `badtime${bad}`, "set_reminder", { at: "whenever", text: "x" })).toContain(
      "not a time I understand",
    );
    const unknown = newRoomId();
    expect(await askButler(unknown, `unknown${unknown}`, "delete_everything")).toContain("There is no tool named");
  });

  it("stops at the bot's maximum tool rounds with an honest note", async () => {
    const roomId = newRoomId();
    const reply = await askButler(roomId, `limit${roomId}`, "list_reminders", undefined, 10);
    expect(reply).toContain("I stopped after 3 rounds of tool use");
    expect(await fakeAnthropic.requestsMentioning(`limit${roomId}`)).toHaveLength(3);
  });

  it("says room history is not available on an older Campfire", async () => {
    const roomId = newRoomId();
    await fakeCampfire.legacy(roomId);
    expect(await askButler(roomId, `oldcf${roomId}`, "room_history")).toContain("not available on this Campfire");
  });

  it("says an id to page back from is not in the room, and still reads the room afterwards", async () => {
    const roomId = newRoomId();
    await fakeCampfire.say(roomId, "Grace Hopper", "the build is green again");
    const reply = await askButler(roomId, `badid${roomId}`, "room_history", { before_id: 987654321 });
    expect(reply).toContain("no message 987654321 in this room");
    // Campfire's 404 for an unknown id is not an older Campfire's 404: the next turn reads the room as before.
    await postWebhook(
      campfirePayload({
        roomId,
        text: `again${roomId} [fake:tool=room_history,rounds=1,id=again${roomId}]`,
        key: TEST_KEYS.butler,
      }),
      { botId: "butler" },
    );
    const [, again] = await fakeCampfire.waitForMessages(roomId, 2, 10_000);
    expect(again!.body).toContain("the build is green again");
  });

  it("sends Anthropic's server tools and the MCP servers exactly as configured", async () => {
    const roomId = newRoomId();
    await askButler(roomId, `server${roomId}`, "list_reminders");
    const [request] = await fakeAnthropic.requestsMentioning(`server${roomId}`);
    const body = request!.body as unknown as {
      tools: { type?: string; name?: string; max_uses?: number; mcp_server_name?: string }[];
      mcp_servers: unknown[];
    };
    expect(body.tools.map((tool) => tool.name ?? tool.mcp_server_name)).toEqual([
      "room_history",
      "set_reminder",
      "list_reminders",
      "cancel_reminder",
      "web_search",
      "web_fetch",
      "crm",
    ]);
    expect(body.tools).toContainEqual({ type: "web_search_20260318", name: "web_search", max_uses: 2 });
    expect(body.tools).toContainEqual({ type: "web_fetch_20260318", name: "web_fetch", max_uses: 1 });
    expect(body.tools).toContainEqual({ type: "mcp_toolset", mcp_server_name: "crm" });
    expect(body.mcp_servers).toEqual([
      { type: "url", name: "crm", url: "https://mcp.example.com/mcp", authorization_token: MCP_TOKEN },
    ]);
    expect(request!.headers["anthropic-beta"]).toMatch(/mcp-client/);
  });
});

describe("reminders", () => {
  it("fire at their time, once, keep the conversation alive past its TTL, and it is forgotten after the last", async () => {
    const roomId = newRoomId();
    const reply = await askButler(roomId, `remind${roomId}`, "set_reminder", {
      at: "in 0.07 minutes",
      text: "stretch your legs",
    });
    expect(reply).toMatch(/Reminder #\d+ set for/);
    const due = await runInDurableObject(
      conversation(roomId, "butler"),
      (_, state) => state.storage.sql.exec<{ due_at: number }>("SELECT due_at FROM reminders").one().due_at,
    );
    expect(await alarmAt(roomId, "butler")).toBe(due);

    // Past the bot's 2 s TTL, but the reminder is pending: still here.
    await sleep(Math.max(0, due - Date.now() - 1_000));
    expect(await userTables(roomId, "butler")).toContain("reminders");

    const messages = await fakeCampfire.waitForMessages(roomId, 2, 10_000);
    expect(messages[1]!.body).toBe("<p>⏰ <strong>Reminder</strong> for Ada Lovelace: stretch your legs</p>");
    expect(messages[1]!.at).toBeGreaterThanOrEqual(due);

    // 2 s after the reminder, the conversation is gone, and the reminder never fired again.
    await expect.poll(() => userTables(roomId, "butler"), { timeout: 10_000, interval: 250 }).toEqual([]);
    expect(await fakeCampfire.messages(roomId)).toHaveLength(2);
  }, 30_000);
});

describe("scheduled posts", () => {
  it("start a turn in the configured room when their cron fires, and the answer is posted there", async () => {
    const controller = createScheduledController({ cron: "30 8 * * MON-FRI", scheduledTime: Date.now() });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);
    const [briefing] = await fakeCampfire.waitForMessages(4242, 1);
    expect(briefing!.body).toContain(
      "Scheduled task: Write today&#39;s briefing from the room&#39;s last day of messages.",
    );
    const [request] = await fakeAnthropic.requestsMentioning("Write today's briefing");
    expect(JSON.stringify(request!.body.system)).toContain('room \\"room 4242\\"');
    // It speaks for no one: the tools that act for the asker (setting and cancelling their reminders) are not offered.
    const offered = (request!.body as unknown as { tools: { name?: string; mcp_server_name?: string }[] }).tools.map(
      (tool) => tool.name ?? tool.mcp_server_name,
    );
    expect(offered).toEqual(["room_history", "list_reminders", "web_search", "web_fetch", "crm"]);
  });
});
