import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TEST_KEYS } from "../bots";
import { campfirePayload, fakeAnthropic, fakeCampfire, newRoomId, postWebhook, runUntilIdle } from "./helpers";

type RoomMessage = { id: number; body: string; creator: { role: string }; attachment?: { name: string; type: string; size: number } };
const roomMessages = async (roomId: number) =>
  ((await (await fetch(`${env.CAMPFIRE_URL}/_fake/messages?room=${roomId}`)).json()) as RoomMessage[]).filter((m) => m.creator.role === "bot");
const boosts = async (roomId: number) => (await (await fetch(`${env.CAMPFIRE_URL}/_fake/boosts?room=${roomId}`)).json()) as { id: number; messageId: number; content: string }[];

const ask = (roomId: number, text: string, bot: keyof typeof TEST_KEYS = "reporter", messageId?: number) =>
  postWebhook(campfirePayload({ roomId, text, key: TEST_KEYS[bot], messageId }), { botId: bot });

describe("a bot that runs code", () => {
  it("posts its answer, then the file its code wrote, and keeps the container for a follow-up", async () => {
    const roomId = newRoomId();
    const marker = `csv${roomId}`;
    await ask(roomId, `${marker} make me a CSV of the numbers 1 to 10 [fake:file=numbers.csv,id=${marker}]`);
    await expect.poll(async () => (await roomMessages(roomId)).length, { timeout: 10_000 }).toBe(2);
    const [answer, file] = await roomMessages(roomId);
    expect(answer!.body).toContain("Here is numbers.csv");
    // The words on either side of the code run are paragraphs of their own, not glued into one line.
    expect(answer!.body).toMatch(/<p>I(?:'|&#39;)ll write numbers\.csv\.<\/p>\s*<p>Here is numbers\.csv\.<\/p>/);
    expect(file).toMatchObject({ body: "", attachment: { name: "numbers.csv", type: "text/csv" } });
    expect(file!.attachment!.size).toBeGreaterThan(0);

    const [request] = await fakeAnthropic.requestsMentioning(marker);
    const body = request!.body as unknown as { tools: { type: string }[]; container: { skills: { skill_id: string; type: string }[] } };
    expect(body.tools.map((tool) => tool.type)).toContain("code_execution_20260521");
    expect(body.container.skills).toEqual([{ type: "anthropic", skill_id: "xlsx", version: "latest" }]);

    await ask(roomId, `${marker}-again make the bars blue`);
    await expect.poll(async () => (await roomMessages(roomId)).length, { timeout: 10_000 }).toBe(3);
    const [followUp] = await fakeAnthropic.requestsMentioning(`${marker}-again`);
    expect((followUp!.body as unknown as { container: { id: string } }).container.id).toMatch(/\S/);
  });

  it("posts each file once when Campfire takes one but the bot never hears back, and when it refuses another", async () => {
    const roomId = newRoomId();
    const marker = `twofiles${roomId}`;
    // The first attachment reaches the room but the bot hears 503; the second is refused once outright.
    await fakeCampfire.fail({ status: 503, times: 1, room: roomId, method: "POST", endsWith: "/messages", after: 1, accepted: true });
    await ask(roomId, `${marker} [fake:file=a.csv+b.csv,id=${marker}]`);
    await expect.poll(async () => (await roomMessages(roomId)).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await fakeCampfire.fail({ status: 503, times: 1, room: roomId, method: "POST", endsWith: "/messages" });
    await runUntilIdle(roomId, 20, "reporter");
    const messages = await roomMessages(roomId);
    expect(messages.map((m) => m.attachment?.name ?? "text")).toEqual(["text", "a.csv", "b.csv"]);
    expect(await fakeAnthropic.requestsMentioning(marker)).toHaveLength(1);
  });

  it("does not post a file again when Campfire took it but the run died before recording it", async () => {
    const roomId = newRoomId();
    const marker = `onefile${roomId}`;
    // The upload reaches the room, but the bot hears 503, as if the run died right after Campfire took it. Campfire
    // gives the file message its stored name as text ("q3:report.csv" is kept as "q3-report.csv").
    await fakeCampfire.fail({ status: 503, times: 1, room: roomId, method: "POST", endsWith: "/messages", after: 1, accepted: true });
    await ask(roomId, `${marker} [fake:file=q3:report.csv,id=${marker}]`);
    await expect.poll(async () => (await roomMessages(roomId)).length, { timeout: 10_000 }).toBe(2);
    await runUntilIdle(roomId, 20, "reporter");
    const messages = await roomMessages(roomId);
    expect(messages.map((m) => m.attachment?.name ?? "text")).toEqual(["text", "q3-report.csv"]);
  });

  it("says a file is too large instead of posting it, without downloading it", async () => {
    const roomId = newRoomId();
    const marker = `huge${roomId}`;
    await ask(roomId, `${marker} [fake:file=big.csv,huge,id=${marker}]`);
    await expect.poll(async () => (await roomMessages(roomId)).length, { timeout: 10_000 }).toBe(2);
    const [, note] = await roomMessages(roomId);
    expect(note!.attachment).toBeUndefined();
    expect(note!.body).toMatch(/big\.csv is 26\.0 MB, over the 25\.0 MB limit/);
    const fileCalls = (await (await fetch(`${env.ANTHROPIC_BASE_URL}/_fake/file-requests`)).json()) as { path: string }[];
    expect(fileCalls.filter((call) => call.path.endsWith("/content") && call.path.includes("big"))).toEqual([]);
  });
});

describe("the 👀 boost", () => {
  it("goes on the asker's message while the bot works and comes off once the answer is posted", async () => {
    const roomId = newRoomId();
    const text = `boost${roomId} [fake:delay=1500,id=boost${roomId}]`;
    // The person's message is in the room, as Campfire's webhook says.
    const messageId = await fakeCampfire.say(roomId, "Ada Lovelace", text);
    await ask(roomId, text, "assistant", messageId);
    await expect.poll(() => boosts(roomId), { timeout: 5_000 }).toEqual([expect.objectContaining({ messageId, content: "👀" })]);
    await fakeCampfire.waitForMessages(roomId, 1);
    await expect.poll(() => boosts(roomId), { timeout: 5_000 }).toEqual([]);
  }, 15_000);

  it("is skipped, and remembered as missing, on a Campfire without boosts; the answer is unaffected", async () => {
    const roomId = newRoomId();
    await fakeCampfire.legacy(roomId);
    await ask(roomId, `noboost${roomId} one`, "assistant");
    await fakeCampfire.waitForMessages(roomId, 1);
    await ask(roomId, `noboost${roomId} two`, "assistant");
    await fakeCampfire.waitForMessages(roomId, 2);
    const boostCalls = (await fakeCampfire.calls(roomId)).filter((call) => (call as { path?: string }).path?.includes("/boosts"));
    expect(boostCalls).toHaveLength(1);
  });
});
