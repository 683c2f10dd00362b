import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { type Cron, parseCron, previousFire } from "../../src/cron";
import worker from "../../src/index";
import { shownMessages } from "../shown-messages";
import {
  campfirePayload,
  conversation,
  fakeAnthropic,
  fakeCampfire,
  newRoomId,
  postWebhook,
  type RecordedRequest,
  runUntilIdle,
  speakers,
  TEST_KEYS,
} from "./helpers";

// The briefer's schedule (test/bots.ts): Mondays 09:00 UTC in room 4501, from rooms 4502–4505, the last two kept.
const CRON = "0 9 * * MON";
const ROOM = 4501;
const [A, B, C, UNREADABLE] = [4502, 4503, 4504, 4505];
const UNLISTED = 4506;
const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
// A Monday well in the past, so that every message of these tests, even one after a firing, was written before now.
const MONDAY = previousFire(parseCron(CRON) as Cron, Date.now() - 60 * 24 * HOUR)!;
const library = () => env.KNOWLEDGE.getByName("briefings-test");
const keptId = (firing: number) => `briefing-${ROOM}-0_9_x_x_MON-${new Date(firing).toISOString().slice(0, 10)}-0900`;

/** The Cron Trigger firing as Cloudflare runs it, and the briefing it starts posted and kept. */
async function fire(scheduledTime: number, kept = keptId(scheduledTime)): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: CRON, scheduledTime }), env, ctx);
  await waitOnExecutionContext(ctx);
  await vi.waitFor(
    async () => {
      if (!(await library().document(kept))) throw new Error(`${kept} is not kept yet`);
    },
    { timeout: 10_000, interval: 50 },
  );
}

/** The briefing turn's own text (not the history before it) in each request to the model that holds `marker`. */
async function briefingTexts(marker: string): Promise<string[]> {
  const requests: RecordedRequest[] = await fakeAnthropic.requestsMentioning(marker);
  return requests
    .map((request) =>
      speakers(request)
        .map((message) => message.text)
        .join("\n"),
    )
    .filter((text) => text.includes(marker));
}

/** The messages a briefing's prompt carries, each with the link its room's section says to give it. */
const carried = shownMessages;

describe("a briefing across rooms", () => {
  it("reads exactly its sources since the previous firing, names the one it cannot read, and posts in its room", async () => {
    const m = `brief${MONDAY}`;
    await fakeCampfire.legacy(UNREADABLE);
    const earlier = `${m} said before the previous briefing`;
    await fakeCampfire.say(A, "Grace Hopper", earlier, MONDAY - WEEK - HOUR);
    const launch = await fakeCampfire.say(A, "Grace Hopper", `${m} the launch moves to Friday`, MONDAY - WEEK + HOUR);
    const qa = await fakeCampfire.say(A, "Alan Turing", `${m} QA signs off on Thursday`, MONDAY - HOUR);
    const later = `${m} said after this firing`;
    await fakeCampfire.say(A, "Grace Hopper", later, MONDAY + 60_000);
    const budget = await fakeCampfire.say(B, "Ada Lovelace", `${m} the budget is approved`, MONDAY - 2 * HOUR);
    const hiring = await fakeCampfire.say(C, "Ada Lovelace", `${m} hiring pauses until March`, MONDAY - 3 * HOUR);
    const secret = `${m} salaries in the private room`;
    await fakeCampfire.say(UNLISTED, "Ada Lovelace", secret, MONDAY - HOUR);
    const posted = (await fakeCampfire.messages(ROOM)).length;

    await fire(MONDAY);

    const [text, ...others] = await briefingTexts(`${m} the launch`);
    expect(others).toEqual([]);
    // Exactly the listed rooms' messages of the span, room by room in the operator's order, oldest first, each linked.
    expect(carried(text!)).toEqual(
      [
        [A, launch],
        [A, qa],
        [B, budget],
        [C, hiring],
      ].map(([room, id]) => expect.objectContaining({ id, link: `/rooms/${room}/@${id}` })),
    );
    expect(text).not.toContain(earlier);
    expect(text).not.toContain(later);
    expect(text).toContain(`I could not read room ${UNREADABLE}: Campfire answered 404`);
    // A room the operator did not list never reaches the model, in any request.
    expect(await fakeAnthropic.requestsMentioning(secret)).toEqual([]);

    const briefing = (await fakeCampfire.messages(ROOM)).slice(posted);
    expect(briefing.length).toBeGreaterThan(0);
    expect(briefing[0]!.body).toContain("Write the Monday briefing");
    expect(briefing.map((message) => message.body).join("")).toContain("the launch moves to Friday");
  });

  it("keeps each posted briefing in its library, the newest two only, where a later question finds it", async () => {
    const m = `kept${MONDAY}`;
    const [first, second, third] = [1, 2, 3].map((weeks) => MONDAY + weeks * WEEK);
    const late = `${m} said a minute after the second firing`;
    await fakeCampfire.say(A, "Grace Hopper", late, first! + 60_000);
    await fakeCampfire.say(A, "Grace Hopper", `${m} the launch checklist is ready`, third! - HOUR);

    await fire(first!);
    await fire(second!);
    // Delivered twice, the same firing starts no second turn and keeps no second document.
    await fire(second!);
    await fire(third! + 5 * 60_000, keptId(third!));

    // A message after one firing is in the next briefing, once: no span skipped, none doubled.
    expect(await briefingTexts(late)).toHaveLength(1);
    const ids = (await library().list()).map((doc) => doc.id).filter((id) => id.startsWith(`briefing-${ROOM}-`));
    expect(ids).toEqual([keptId(second!), keptId(third!)]);
    const doc = (await library().document(keptId(third!)))!;
    const date = new Intl.DateTimeFormat("en-GB", {
      timeZone: "UTC",
      weekday: "long",
      day: "numeric",
      month: "long",
      year: "numeric",
    }).format(third!);
    expect(doc.title).toBe(`Briefing for room ${ROOM} — ${date}`);
    expect(doc.body).toContain("the launch checklist is ready");

    const question = encodeURIComponent(JSON.stringify({ query: "launch checklist" }));
    const roomId = newRoomId();
    const response = await postWebhook(
      campfirePayload({
        roomId,
        key: TEST_KEYS.briefer,
        text: `what did the Monday briefing say about the launch checklist? [fake:tool=search_knowledge,input=${question},id=${m}]`,
      }),
      { botId: "briefer" },
    );
    expect(response.status).toBe(204);
    const [reply] = await fakeCampfire.waitForMessages(roomId, 1);
    expect(reply!.body).toContain(`Briefing for room ${ROOM} — ${date}`);
    expect(reply!.body).toContain(keptId(third!));
  });

  it("keeps the briefing of a conversation stored before its inbox knew firings, once a deploy upgrades it", async () => {
    await fire(MONDAY + 4 * WEEK);
    await runInDurableObject(conversation(ROOM, "briefer"), (_, state) =>
      state.storage.sql.exec("ALTER TABLE inbox DROP COLUMN firing"),
    );
    // A deploy restarts every object: the new code meets the old table in a fresh instance.
    await runInDurableObject(conversation(ROOM, "briefer"), (_, state) => state.abort("restarted by the test")).catch(
      () => {},
    );
    await fire(MONDAY + 5 * WEEK);
  });

  it("names the room it could not read when the answer leaves the note out, in the room and in the library", async () => {
    const firing = MONDAY + 6 * WEEK;
    const m = `unnamed${MONDAY}`;
    await fakeCampfire.legacy(UNREADABLE);
    // A message the briefing reads steers the fake model to answer without the notes it was asked to end with.
    const answer = `${m}: the launch is on track.`;
    await fakeCampfire.say(
      A,
      "Grace Hopper",
      `${m} on track [fake:reply=${encodeURIComponent(answer)}]`,
      firing - HOUR,
    );
    const posted = (await fakeCampfire.messages(ROOM)).length;

    await fire(firing);

    const note = `I could not read room ${UNREADABLE}: Campfire answered 404`;
    const briefing = (await fakeCampfire.messages(ROOM))
      .slice(posted)
      .map((message) => message.body)
      .join("");
    expect(briefing).toContain(answer);
    expect(briefing.split(note)).toHaveLength(2);
    const doc = (await library().document(keptId(firing)))!;
    expect(doc.body).toContain(`${answer}\n\n${note}`);
  });

  it("names the unreadable room in a briefing delivered after its first post failed and the object restarted", async () => {
    const firing = MONDAY + 7 * WEEK;
    const m = `restarted${MONDAY}`;
    await fakeCampfire.legacy(UNREADABLE);
    const answer = `${m}: nothing new.`;
    await fakeCampfire.say(A, "Grace Hopper", `${m} quiet [fake:reply=${encodeURIComponent(answer)}]`, firing - HOUR);
    const posted = (await fakeCampfire.messages(ROOM)).length;
    await fakeCampfire.fail({ status: 503, times: 1, room: ROOM, method: "POST", endsWith: "/messages" });
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: CRON, scheduledTime: firing }), env, ctx);
    await waitOnExecutionContext(ctx);
    await expect
      .poll(async () => (await fakeCampfire.calls(ROOM)).filter((call) => call.status === 503).length)
      .toBe(1);
    // Only storage survives: the retry finds the answer as the turn kept it.
    await runInDurableObject(conversation(ROOM, "briefer"), (_, state) => state.abort("evicted by the test")).catch(
      () => {},
    );
    await runUntilIdle(ROOM, 20, "briefer");

    const briefing = (await fakeCampfire.messages(ROOM)).slice(posted);
    expect(briefing).toHaveLength(1);
    expect(briefing[0]!.body).toContain(answer);
    expect(briefing[0]!.body).toContain(`I could not read room ${UNREADABLE}: Campfire answered 404`);
    expect((await library().document(keptId(firing)))!.body).toContain(`I could not read room ${UNREADABLE}`);
  });
});
