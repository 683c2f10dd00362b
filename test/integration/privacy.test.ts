import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { TEST_KEYS } from "../bots";
import {
  campfirePayload,
  conversation,
  fakeAnthropic,
  fakeCampfire,
  newRoomId,
  pendingWork,
  postWebhook,
  type RecordedRequest,
  speakers,
  turnExtras,
} from "./helpers";
import { HOUR, memoryOf, newUserId } from "./memory-helpers";

type BotId = "librarian" | "butler";
type Person = { id: number; name: string };
type ToolResult = { type: string; content: string; is_error?: boolean };

async function say(bot: BotId, roomId: number, user: Person, text: string) {
  const response = await postWebhook(
    { ...campfirePayload({ roomId, text, key: TEST_KEYS[bot] }), user },
    { botId: bot },
  );
  expect(response.status).toBe(204);
}

/** A directive that makes the fake model call `tool` with `input` once, then report the result. */
const calling = (tool: string, input: unknown, id: string) =>
  `[fake:tool=${tool},input=${encodeURIComponent(JSON.stringify(input))},id=${id}]`;

/**
 * The interleaving of issue #18: Grace's slow turn is running when Ada writes `adaText` and Grace then writes
 * "thanks". Resolves once all is answered, with the room's replies and the requests of the turn holding Ada's words.
 */
async function adaWritesDuringGracesTurn(bot: BotId, roomId: number, ada: Person, grace: Person, adaText: string) {
  const marker = `turn${roomId}`;
  await say(bot, roomId, grace, `${marker} Grace asks something slow [fake:delay=1500,id=${marker}]`);
  await expect.poll(() => fakeAnthropic.requestsMentioning(marker), { timeout: 5_000 }).toHaveLength(1);
  await say(bot, roomId, ada, adaText);
  await say(bot, roomId, grace, `${marker} thanks`);
  // Waits for everything to be answered, however the turns were cut.
  await expect.poll(() => pendingWork(roomId, bot), { timeout: 15_000, interval: 50 }).toBe(0);
  const replies = await fakeCampfire.messages(roomId);
  const adasTurn = (await fakeAnthropic.requestsMentioning(adaText)).filter((request) =>
    lastUserWords(request).includes(adaText),
  );
  return { replies, adasTurn, thanks: `${marker} thanks` };
}

/** The words of the request's own turn (its last user message with text), whatever tool rounds follow it. */
function lastUserWords(request: RecordedRequest): string {
  const message = request.body.messages.findLast(
    (m) => m.role === "user" && (typeof m.content === "string" || m.content.some((block) => block.type === "text")),
  )!;
  return typeof message.content === "string"
    ? message.content
    : message.content.find((block) => block.type === "text")!.text!;
}

const systemOf = (request: RecordedRequest) => JSON.stringify(request.body.system);
const toolResultOf = (request: RecordedRequest) =>
  (request.body.messages.at(-1)!.content as unknown as ToolResult[])[0]!;

describe("a bot that acts for people, when several write while it is busy", () => {
  it("answers Ada's request to show another's memory with Ada's own memory: Grace's note reaches no request and no reply", async () => {
    const roomId = newRoomId();
    const ada = { id: newUserId(), name: "Ada Lovelace" };
    const grace = { id: newUserId(), name: "Grace Hopper" };
    const secret = `surprise party for Ada ${roomId}`;
    await memoryOf(grace.id, "librarian").command(
      { command: "create", path: "/memories/grace.md", file_text: secret },
      HOUR,
    );

    const adaText = `show me /memories/grace.md v${roomId} ${calling("memory", { command: "view", path: "/memories/grace.md" }, `v${roomId}`)}`;
    const { replies, adasTurn, thanks } = await adaWritesDuringGracesTurn("librarian", roomId, ada, grace, adaText);

    expect(await fakeAnthropic.requestsMentioning(secret)).toEqual([]);
    expect(replies.map((reply) => reply.body).join("\n")).not.toContain("surprise party");
    // Ada's message is a turn of its own, opening Ada's memory, where there is no such file.
    expect(adasTurn).toHaveLength(2);
    expect(speakers(adasTurn[0]!)).toEqual([{ from: "Ada Lovelace", text: adaText }]);
    // Whose memory is open is said after the cached prefix, in the turn itself; the system prompt names no one.
    expect(turnExtras(adasTurn[0]!)).toContain("belongs to Ada Lovelace");
    expect(systemOf(adasTurn[0]!)).not.toContain("Ada Lovelace");
    expect(toolResultOf(adasTurn[1]!)).toMatchObject({
      is_error: true,
      content: expect.stringMatching(/^No such file or directory/),
    });

    // Grace's "thanks" is answered next, in a turn of her own, with her memory.
    const [gracesTurn] = (await fakeAnthropic.requestsMentioning(thanks)).filter((request) =>
      lastUserWords(request).includes(thanks),
    );
    expect(speakers(gracesTurn!)).toEqual([{ from: "Grace Hopper", text: thanks }]);
    expect(turnExtras(gracesTurn!)).toContain("belongs to Grace Hopper");
    // The same system prompt whoever speaks, so a change of speaker still reads it from the cache.
    expect(systemOf(gracesTurn!)).toBe(systemOf(adasTurn[0]!));
  }, 30_000);

  it("never erases Grace's memory when Ada asks to forget everything", async () => {
    const roomId = newRoomId();
    const ada = { id: newUserId(), name: "Ada Lovelace" };
    const grace = { id: newUserId(), name: "Grace Hopper" };
    await memoryOf(grace.id, "librarian").command(
      { command: "create", path: "/memories/grace.md", file_text: "prefers tea" },
      HOUR,
    );

    const adaText = `forget everything f${roomId} ${calling("memory", { command: "delete", path: "/memories" }, `f${roomId}`)}`;
    const { adasTurn } = await adaWritesDuringGracesTurn("librarian", roomId, ada, grace, adaText);

    expect((await memoryOf(grace.id, "librarian").files()).map((file) => file.content)).toEqual(["prefers tea"]);
    expect(speakers(adasTurn[0]!)).toEqual([{ from: "Ada Lovelace", text: adaText }]);
  }, 30_000);

  it("never cancels Grace's reminder on Ada's words", async () => {
    const roomId = newRoomId();
    const ada = { id: newUserId(), name: "Ada Lovelace" };
    const grace = { id: newUserId(), name: "Grace Hopper" };
    await say(
      "butler",
      roomId,
      grace,
      `set r${roomId} ${calling("set_reminder", { at: "in 2 days", text: "call the printer" }, `r${roomId}`)}`,
    );
    const [set] = await fakeCampfire.waitForMessages(roomId, 1);
    const id = Number(/Reminder #(\d+) set/.exec(set!.body)![1]);

    const adaText = `cancel it c${roomId} ${calling("cancel_reminder", { id }, `c${roomId}`)}`;
    const { adasTurn } = await adaWritesDuringGracesTurn("butler", roomId, ada, grace, adaText);

    const pending = await runInDurableObject(conversation(roomId, "butler"), (_, state) =>
      state.storage.sql
        .exec<{ id: number }>("SELECT id FROM reminders")
        .toArray()
        .map((row) => row.id),
    );
    expect(pending).toEqual([id]);
    expect(speakers(adasTurn[0]!)).toEqual([{ from: "Ada Lovelace", text: adaText }]);
    expect(toolResultOf(adasTurn[1]!)).toMatchObject({
      is_error: true,
      content: `Reminder #${id} belongs to Grace Hopper; only they can cancel it. Ask them to.`,
    });
  }, 30_000);

  it("settles only Ada's message when her turn ends in an apology: Grace's is still answered, in a turn of its own", async () => {
    const roomId = newRoomId();
    const ada = { id: newUserId(), name: "Ada Lovelace" };
    const grace = { id: newUserId(), name: "Grace Hopper" };
    const adaText = `rejected a${roomId} [fake:status=401,id=a${roomId}]`;
    const { replies, thanks } = await adaWritesDuringGracesTurn("librarian", roomId, ada, grace, adaText);

    expect(replies).toHaveLength(3);
    expect(replies[1]!.body).toContain("Sorry, I could not answer");
    const gracesTurn = (await fakeAnthropic.requestsMentioning(thanks)).filter((request) =>
      lastUserWords(request).includes(thanks),
    );
    expect(gracesTurn.map((request) => speakers(request))).toEqual([[{ from: "Grace Hopper", text: thanks }]]);
    expect(replies[2]!.body).toContain(`Echo: Grace Hopper: ${thanks}`);
  }, 30_000);
});

describe("a scheduled turn on a bot that remembers people", () => {
  it("is not offered the memory tool, nor told of a memory: it speaks for no one", async () => {
    const controller = createScheduledController({ cron: "0 7 * * MON", scheduledTime: Date.now() });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);
    await fakeCampfire.waitForMessages(4343, 1);
    const [request] = await fakeAnthropic.requestsMentioning("Write this week's digest");
    const offered = ((request!.body as { tools?: { name: string }[] }).tools ?? []).map((tool) => tool.name);
    expect(offered).toContain("search_knowledge");
    expect(offered).not.toContain("memory");
    expect(systemOf(request!)).not.toContain("memory tool");
  });
});
