import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TEST_KEYS } from "../bots";
import {
  alarmAt,
  campfirePayload,
  conversation,
  fakeAnthropic,
  fakeCampfire,
  newRoomId,
  pendingWork,
  postWebhook,
  runUntilIdle,
} from "./helpers";

type RoomMessage = {
  id: number;
  body: string;
  creator: { role: string };
  attachment?: { name: string; type: string; size: number };
};
const roomMessages = async (roomId: number) =>
  ((await (await fetch(`${env.CAMPFIRE_URL}/_fake/messages?room=${roomId}`)).json()) as RoomMessage[]).filter(
    (m) => m.creator.role === "bot",
  );
const boosts = async (roomId: number) =>
  (await (await fetch(`${env.CAMPFIRE_URL}/_fake/boosts?room=${roomId}`)).json()) as {
    id: number;
    messageId: number;
    content: string;
  }[];

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
    const body = request!.body as unknown as {
      tools: { type: string }[];
      container: { skills: { skill_id: string; type: string }[] };
    };
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
    await fakeCampfire.fail({
      status: 503,
      times: 1,
      room: roomId,
      method: "POST",
      endsWith: "/messages",
      after: 1,
      accepted: true,
    });
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
    await fakeCampfire.fail({
      status: 503,
      times: 1,
      room: roomId,
      method: "POST",
      endsWith: "/messages",
      after: 1,
      accepted: true,
    });
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
    const fileCalls = (await (await fetch(`${env.ANTHROPIC_BASE_URL}/_fake/file-requests`)).json()) as {
      path: string;
    }[];
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
    await expect
      .poll(() => boosts(roomId), { timeout: 5_000 })
      .toEqual([expect.objectContaining({ messageId, content: "👀" })]);
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
    const boostCalls = (await fakeCampfire.calls(roomId)).filter((call) =>
      (call as { path?: string }).path?.includes("/boosts"),
    );
    expect(boostCalls).toHaveLength(1);
  });
});

describe("a Files API that keeps failing", () => {
  afterEach(() => vi.useRealTimers());

  /** The Files API ids of the answer waiting to be posted in the room. */
  const filesWaiting = (roomId: number) =>
    runInDurableObject(
      conversation(roomId, "reporter"),
      (_, state) =>
        JSON.parse(
          state.storage.sql.exec<{ f: string }>("SELECT out_files AS f FROM conversation").one().f,
        ) as string[],
    );
  const downloadsOf = async (fileId: string) => {
    const calls = (await (await fetch(`${env.ANTHROPIC_BASE_URL}/_fake/file-requests`)).json()) as { path: string }[];
    return calls.filter((call) => call.path === `/v1/files/${fileId}/content`).length;
  };

  /** Asks the reporter, in virtual time from now on, and waits until the answer's first delivery has failed on its file. */
  async function askInVirtualTime(roomId: number, text: string): Promise<number> {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const asked = Date.now();
    await ask(roomId, text);
    // The text is in and the file's first failure has its retry, seconds ahead.
    await vi.waitFor(async () => expect((await alarmAt(roomId, "reporter"))! - Date.now()).toBeGreaterThan(1_000), {
      timeout: 10_000,
      interval: 25,
    });
    return asked;
  }

  /** Runs the conversation's alarms, each at its deadline in virtual time, until `done`; fails once `limitMs` have passed. */
  async function runAlarmsUntil(
    roomId: number,
    what: string,
    done: () => Promise<boolean>,
    limitMs: number,
  ): Promise<void> {
    const started = Date.now();
    while (!(await done())) {
      const at = await alarmAt(roomId, "reporter");
      if (at === null || at - started > limitMs)
        throw new Error(
          `room ${roomId}: ${what} not within ${limitMs / 1_000} s (next alarm ${at === null ? "none" : `at +${(at - started) / 1_000} s`})`,
        );
      vi.setSystemTime(Math.max(at, Date.now()));
      await runDurableObjectAlarm(conversation(roomId, "reporter"));
    }
  }

  it("names a file it cannot download in a line within minutes, and the conversation goes on", async () => {
    const roomId = newRoomId();
    const marker = `filesdown${roomId}`;
    const asked = await askInVirtualTime(
      roomId,
      `${marker} make the report [fake:file=report.xlsx,fileStatus=500,fileStep=download,id=${marker}]`,
    );
    const [fileId] = await filesWaiting(roomId);
    await runAlarmsUntil(roomId, "the note", async () => (await roomMessages(roomId)).length >= 2, 4 * 60_000);

    // Two minutes of tries from the first failure, then the note: well within three minutes of the question.
    expect(Date.now() - asked).toBeLessThanOrEqual(3 * 60_000);
    const [answer, note] = await roomMessages(roomId);
    expect(answer!.body).toContain("Here is report.xlsx");
    expect(note!.attachment).toBeUndefined();
    expect(note!.body).toContain("📎 report.xlsx could not be fetched from Anthropic; ask me to make it again.");
    // Tried again and again meanwhile, but a bounded number of times.
    expect(await downloadsOf(fileId!)).toBeGreaterThan(3);
    expect(await downloadsOf(fileId!)).toBeLessThanOrEqual(15);
    expect(await pendingWork(roomId, "reporter")).toBe(0);

    await ask(roomId, `${marker}-after thanks anyway`);
    await runAlarmsUntil(roomId, "the next answer", async () => (await roomMessages(roomId)).length >= 3, 60_000);
    expect((await roomMessages(roomId))[2]!.body).toContain(`${marker}-after`);
  });

  it("answers a message sent while a file is failing without waiting for the file's budget, after the file's note", async () => {
    const roomId = newRoomId();
    const marker = `filesbehind${roomId}`;
    const asked = await askInVirtualTime(
      roomId,
      `${marker} make the report [fake:file=report.xlsx,fileStatus=500,fileStep=download,id=${marker}]`,
    );
    // The file has been failing for half a minute when the follow-up comes.
    await runAlarmsUntil(roomId, "half a minute of failures", async () => Date.now() - asked >= 30_000, 60_000);
    expect(await roomMessages(roomId)).toHaveLength(1);
    await ask(roomId, `${marker}-next what else is in it?`);
    const sent = Date.now();
    await runAlarmsUntil(
      roomId,
      "the follow-up's answer",
      async () => (await roomMessages(roomId)).length >= 3,
      60_000,
    );

    // Held at most until the file's next try (back-off is capped at 15 s), not for the rest of its two minutes.
    expect(Date.now() - sent).toBeLessThanOrEqual(20_000);
    const bodies = (await roomMessages(roomId)).map((message) => message.body);
    expect(bodies[0]).toContain("Here is report.xlsx");
    expect(bodies[1]).toContain("report.xlsx could not be fetched from Anthropic");
    expect(bodies[2]).toContain(`${marker}-next`);
    expect(await fakeAnthropic.requestsMentioning(`${marker}-next`)).toHaveLength(1);
  });

  it("gives up an answer's other files at once when the first one has used up the minutes", async () => {
    const roomId = newRoomId();
    const marker = `twodown${roomId}`;
    const asked = await askInVirtualTime(
      roomId,
      `${marker} [fake:file=a.csv+b.csv,fileStatus=500,fileStep=download,id=${marker}]`,
    );
    await runAlarmsUntil(roomId, "both notes", async () => (await pendingWork(roomId, "reporter")) === 0, 6 * 60_000);
    expect(Date.now() - asked).toBeLessThanOrEqual(3 * 60_000);
    const [, first, second] = (await roomMessages(roomId)).map((message) => message.body);
    expect(first).toContain("a.csv could not be fetched from Anthropic");
    expect(second).toContain("b.csv could not be fetched from Anthropic");
  });

  it("still says a file is missing when the Files API cannot even tell its name", async () => {
    const roomId = newRoomId();
    const marker = `metadown${roomId}`;
    await askInVirtualTime(roomId, `${marker} [fake:file=chart.png,fileStatus=503,id=${marker}]`);
    await runAlarmsUntil(roomId, "the note", async () => (await roomMessages(roomId)).length >= 2, 4 * 60_000);
    expect((await roomMessages(roomId))[1]!.body).toContain(
      "📎 A file I made could not be fetched from Anthropic; ask me to make it again.",
    );
  });

  it("posts a file the Files API refused only briefly, without a note", async () => {
    const roomId = newRoomId();
    const marker = `fileblip${roomId}`;
    await askInVirtualTime(roomId, `${marker} [fake:file=numbers.csv,fileStatus=500,fileTimes=2,id=${marker}]`);
    await runAlarmsUntil(roomId, "the file", async () => (await pendingWork(roomId, "reporter")) === 0, 60_000);
    expect((await roomMessages(roomId)).map((m) => m.attachment?.name ?? "text")).toEqual(["text", "numbers.csv"]);
  });
});
