import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DigestView } from "../../src/digests/access";
import { IDLE_LIMIT_MS } from "../../src/digests/schedule";
import {
  ADMIN_TOKEN,
  campfirePayload,
  conversation,
  fakeAnthropic,
  fakeCampfire,
  newRoomId,
  type PostedMessage,
  postWebhook,
  type RecordedRequest,
  runUntilIdle,
  TEST_KEYS,
  userTables,
  userText,
} from "./helpers";

const BOT = "digester";
const ADA = { id: 7, name: "Ada Lovelace" };
const GRACE = { id: 8, name: "Grace Hopper" };
const digests = () => env.DIGESTS.getByName(`digests:${BOT}`);
const utc = (iso: string) => Date.parse(iso);

/** A person's message in the room, stored in the fake Campfire as Campfire would; resolves with its id. */
async function say(roomId: number, person: { id: number; name: string }, body: string): Promise<number> {
  const response = await fetch(`${env.CAMPFIRE_URL}/_fake/say`, {
    method: "POST",
    body: JSON.stringify({ roomId, user: person, body }),
  });
  return ((await response.json()) as { id: number }).id;
}

/** A person mentions the bot (the message is in the room, then the webhook comes), and the turn runs to its end. */
async function ask(
  roomId: number,
  person: { id: number; name: string },
  text: string,
  options: { roomName?: string; direct?: boolean } = {},
): Promise<PostedMessage> {
  const before = (await fakeCampfire.messages(roomId)).length;
  const messageId = await say(roomId, person, text);
  const payload = campfirePayload({
    roomId,
    text,
    messageId,
    userId: person.id,
    userName: person.name,
    key: TEST_KEYS.digester,
    ...options,
  });
  expect((await postWebhook(payload, { botId: BOT })).status).toBe(204);
  await runUntilIdle(roomId, 20, BOT);
  const messages = await fakeCampfire.messages(roomId);
  expect(messages.length).toBeGreaterThan(before);
  return messages.at(-1)!;
}

const calling = (marker: string, tool: string, input: unknown) =>
  `${marker} [fake:tool=${tool},input=${encodeURIComponent(JSON.stringify(input))},id=${marker}]`;

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"];

/** Subscribes `person` in a room of its own (named so its digest prompts can be found); resolves with the digest's number. */
async function subscribe(
  roomId: number,
  person: { id: number; name: string },
  input: Record<string, unknown> = { time: "09:00", days: WEEKDAYS },
): Promise<number> {
  const reply = await ask(roomId, person, calling(`sub${roomId}-${Date.now()}`, "subscribe_digest", input), {
    roomName: roomName(roomId),
  });
  const id = /Digest #(\d+)/.exec(reply.body);
  if (!id) throw new Error(`no digest was made: ${reply.body.slice(0, 400)}`);
  return Number(id[1]);
}
const roomName = (roomId: number) => `Launch ${roomId}`;

/** The digest turns the model was asked for, about one room, in order. */
async function digestRequests(roomId: number): Promise<RecordedRequest[]> {
  return (await fakeAnthropic.requestsMentioning(roomName(roomId))).filter((request) =>
    userText(request).includes("Write the digest"),
  );
}

/** The clock moves to `iso` and the Digests object's alarm runs, as the runtime would then; then the turns it started. */
async function fireAt(iso: string, ...rooms: number[]): Promise<void> {
  vi.setSystemTime(utc(iso));
  await runDurableObjectAlarm(digests());
  for (const room of rooms) await runUntilIdle(room, 20, BOT);
}

const alarm = () => runInDurableObject(digests(), (_, state) => state.storage.getAlarm());
const stored = async (id: number): Promise<DigestView> => (await digests().all()).find((digest) => digest.id === id)!;
const botPosts = async (roomId: number) => (await fakeCampfire.messages(roomId)).length;

function admin(method: string, path: string, token = ADMIN_TOKEN): Promise<Response> {
  return exports.default.fetch(`https://bot.example/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
  });
}

beforeEach(async () => {
  // One object holds the bot's digests: each test starts with none, on a clock in March 2027, the week clocks go forward.
  await runInDurableObject(digests(), async (_, state) => {
    await state.storage.deleteAlarm();
    await state.storage.deleteAll();
    state.abort("reset by the test");
  }).catch(() => {});
  vi.useFakeTimers({ toFake: ["Date"], now: utc("2027-03-25T12:00:00Z") });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("a digest people subscribe to", () => {
  it("fires at 9:00 in the bot's time zone across the change to summer time, covering only what was said since the last one", async () => {
    const roomId = newRoomId();
    const id = await subscribe(roomId, ADA);
    // Thursday 25 March 2027: the first is on Friday at 9:00 in Berlin, 08:00 UTC (winter time).
    expect(await alarm()).toBe(utc("2027-03-26T08:00:00Z"));
    expect((await stored(id)).nextDueAt).toBe(utc("2027-03-26T08:00:00Z"));

    const first = `first${roomId}`;
    const second = `second${roomId}`;
    const firstId = await say(roomId, GRACE, `${first}: ship on Friday`);
    await say(roomId, ADA, `${second}: QA is green`);
    await fireAt("2027-03-26T08:00:00Z", roomId);
    const [digest1] = await digestRequests(roomId);
    expect(userText(digest1!)).toContain(first);
    expect(userText(digest1!)).toContain(second);
    // Each message with its id, to link as the room's permalink.
    expect(userText(digest1!)).toContain(`link each point to its message as /rooms/${roomId}/@<id>`);
    expect(userText(digest1!)).toContain(`[${firstId},`);
    const posted = await fakeCampfire.messages(roomId);
    expect(posted.at(-1)!.body).toContain(first);

    // Clocks went forward on Sunday: Monday's 9:00 in Berlin is 07:00 UTC.
    expect(await alarm()).toBe(utc("2027-03-29T07:00:00Z"));
    const third = `third${roomId}`;
    await say(roomId, GRACE, `${third}: launch moved to Tuesday`);
    await fireAt("2027-03-29T07:00:00Z", roomId);
    const [, digest2] = await digestRequests(roomId);
    expect(userText(digest2!)).toContain(third);
    // Not the first digest's messages, nor the bot's own post of them.
    expect(userText(digest2!)).not.toContain(first);
    expect(userText(digest2!)).not.toContain(second);
    expect(await alarm()).toBe(utc("2027-03-30T07:00:00Z"));
  });

  it("posts nothing and asks no model when the room was quiet, or only the bot spoke, and moves on to the next day", async () => {
    const roomId = newRoomId();
    const id = await subscribe(roomId, ADA);
    const posts = await botPosts(roomId);
    await fireAt("2027-03-26T08:00:00Z", roomId);
    expect(await botPosts(roomId)).toBe(posts);
    expect(await digestRequests(roomId)).toEqual([]);
    expect(await alarm()).toBe(utc("2027-03-29T07:00:00Z"));

    // The bot's own message is not news.
    await fetch(`${env.CAMPFIRE_URL}/rooms/${roomId}/${TEST_KEYS.digester}/messages`, {
      method: "POST",
      body: "hello",
    });
    await fireAt("2027-03-29T07:00:00Z", roomId);
    expect(await digestRequests(roomId)).toEqual([]);
    expect((await stored(id)).deliveredAt).toBeNull();
    expect((await stored(id)).endedAt).toBeNull();
  });

  it("is cancelled only by its owner: someone else is told whose it is, and nothing more is posted once she cancels", async () => {
    const roomId = newRoomId();
    const id = await subscribe(roomId, ADA);
    const refused = await ask(roomId, GRACE, calling(`grace${roomId}`, "cancel_digest", { id }));
    expect(refused.body).toContain(`Digest #${id} belongs to Ada Lovelace; only they can cancel it.`);
    expect((await stored(id)).endedAt).toBeNull();

    const listed = await ask(roomId, ADA, calling(`list${roomId}`, "list_digests", {}));
    expect(listed.body).toContain(`#${id}: this room, weekdays at 09:00 (Europe/Berlin)`);
    const cancelled = await ask(roomId, ADA, calling(`cancel${roomId}`, "cancel_digest", { id }));
    expect(cancelled.body).toContain(`Digest #${id} cancelled`);
    expect(await stored(id)).toMatchObject({ endedWhy: "cancelled" });

    await say(roomId, GRACE, `after${roomId}: still talking`);
    const posts = await botPosts(roomId);
    await fireAt("2027-03-26T08:00:00Z", roomId);
    expect(await botPosts(roomId)).toBe(posts);
    expect(await digestRequests(roomId)).toEqual([]);
    const audit = (await (await admin("GET", `/audit?bot=${BOT}&kind=digest.cancelled`)).json()) as {
      entries: { by: { userId: number } | string; detail: { digest: number } }[];
    };
    expect(audit.entries.find((entry) => entry.detail.digest === id)?.by).toMatchObject({ userId: ADA.id });
  });

  it("ends when Campfire says the bot is no longer in the room (404), and posts nothing", async () => {
    const roomId = newRoomId();
    const id = await subscribe(roomId, ADA);
    await say(roomId, GRACE, `gone${roomId}: anyone there?`);
    await fakeCampfire.fail({ status: 404, room: roomId, times: 10 });
    await fireAt("2027-03-26T08:00:00Z");
    expect(await stored(id)).toMatchObject({ endedWhy: "not_in_room", endedAt: utc("2027-03-26T08:00:00Z") });
    expect(await digestRequests(roomId)).toEqual([]);
    expect(await alarm()).not.toBe(utc("2027-03-29T07:00:00Z"));
  });

  it("outlives its conversation's SESSION_TTL and the object's eviction from memory: a fresh instance fires it", async () => {
    const roomId = newRoomId();
    const id = await subscribe(roomId, ADA, { time: "09:00", days: ["mon"] });
    // A day of quiet: the room's conversation is forgotten.
    vi.setSystemTime(utc("2027-03-26T12:01:00Z"));
    await runDurableObjectAlarm(conversation(roomId, BOT));
    expect(await userTables(roomId, BOT)).toEqual([]);
    await runInDurableObject(digests(), (_, state) => state.abort("evicted by the test")).catch(() => {});

    const news = `weekend${roomId}`;
    await say(roomId, GRACE, `${news}: the servers are moved`);
    await fireAt("2027-03-29T07:00:00Z", roomId);
    const [digest] = await digestRequests(roomId);
    expect(userText(digest!)).toContain(news);
    expect((await fakeCampfire.messages(roomId)).at(-1)!.body).toContain(news);
    expect((await stored(id)).deliveredAt).toBe(utc("2027-03-29T07:00:00Z"));
  });

  it("starts one turn for a firing, even when its run is repeated after the turn was handed over", async () => {
    const roomId = newRoomId();
    const id = await subscribe(roomId, ADA);
    await say(roomId, GRACE, `once${roomId}: one digest please`);
    await fireAt("2027-03-26T08:00:00Z", roomId);
    const posts = await botPosts(roomId);
    // As if the run had died after handing the turn over: the firing is still recorded, and due again.
    await runInDurableObject(digests(), (_, state) => {
      state.storage.sql.exec(
        "UPDATE subscriptions SET next_due_at = ?1, firing_id = ?2, firing_text = 'repeated' WHERE id = ?3",
        utc("2027-03-26T08:00:00Z"),
        `digest:${id}:${utc("2027-03-26T08:00:00Z")}`,
        id,
      );
    });
    await fireAt("2027-03-26T08:00:30Z", roomId);
    expect(await botPosts(roomId)).toBe(posts);
    expect(await digestRequests(roomId)).toHaveLength(1);
    expect(await alarm()).toBe(utc("2027-03-29T07:00:00Z"));
  });

  it("posts no digest while the bot is paused; the next one after it resumes covers what was said meanwhile", async () => {
    const roomId = newRoomId();
    await subscribe(roomId, ADA);
    const during = `paused${roomId}`;
    await say(roomId, GRACE, `${during}: said while paused`);
    expect((await admin("POST", `/bots/${BOT}/pause`)).status).toBe(200);
    try {
      await fireAt("2027-03-26T08:00:00Z", roomId);
      expect(await digestRequests(roomId)).toEqual([]);
      expect(await alarm()).toBe(utc("2027-03-29T07:00:00Z"));
    } finally {
      expect((await admin("POST", `/bots/${BOT}/resume`)).status).toBe(200);
    }
    await fireAt("2027-03-29T07:00:00Z", roomId);
    const [digest] = await digestRequests(roomId);
    expect(userText(digest!)).toContain(during);
  });

  it("ends after 90 days without hearing from its owner, and warns in its last week", async () => {
    const roomId = newRoomId();
    const id = await subscribe(roomId, ADA, { time: "09:00" });
    const subscribed = Date.now();
    // Grace talks every day; Ada never does.
    await say(roomId, GRACE, `late${roomId}: news`);
    await fireAt(new Date(subscribed + IDLE_LIMIT_MS - 3 * 86_400_000).toISOString(), roomId);
    const [warned] = await digestRequests(roomId);
    expect(userText(warned!)).toContain("unless Ada Lovelace talks to Digester");
    await say(roomId, GRACE, `later${roomId}: more news`);
    await fireAt(new Date(subscribed + IDLE_LIMIT_MS).toISOString(), roomId);
    expect(await stored(id)).toMatchObject({ endedWhy: "idle" });
    expect(await digestRequests(roomId)).toHaveLength(1);
  });

  it("keeps going while its owner writes in its room: the digest's own read of the room sees her", async () => {
    const roomId = newRoomId();
    const id = await subscribe(roomId, ADA, { time: "09:00" });
    const subscribed = Date.now();
    await say(roomId, ADA, `still${roomId}: I read these`);
    await fireAt(new Date(subscribed + IDLE_LIMIT_MS - 10 * 86_400_000).toISOString(), roomId);
    await say(roomId, GRACE, `news${roomId}: more`);
    await fireAt(new Date(subscribed + IDLE_LIMIT_MS + 86_400_000).toISOString(), roomId);
    expect(await stored(id)).toMatchObject({ endedAt: null });
    const [, latest] = await digestRequests(roomId);
    expect(userText(latest!)).toContain(`news${roomId}`);
    expect(userText(latest!)).not.toContain("stops after");
  });

  it("summarises a room busier than one read from its newest messages, saying earlier ones were left out", async () => {
    const roomId = newRoomId();
    await subscribe(roomId, ADA);
    for (let i = 0; i < 430; i++) await say(roomId, GRACE, `busy${roomId}-${i}`);
    await fireAt("2027-03-26T08:00:00Z", roomId);
    const [digest] = await digestRequests(roomId);
    expect(userText(digest!)).toContain(`busy${roomId}-429`);
    // Its newest page: the 40 newest messages, not the oldest of the span.
    expect(userText(digest!)).toContain(`busy${roomId}-390\\"`);
    expect(userText(digest!)).not.toContain(`busy${roomId}-389\\"`);
    expect(userText(digest!)).toContain("earlier messages since the last digest were too many to include");
    // The next digest starts after the newest one read.
    await say(roomId, GRACE, `after${roomId}: calmer now`);
    await fireAt("2027-03-29T07:00:00Z", roomId);
    const [, next] = await digestRequests(roomId);
    expect(userText(next!)).toContain(`after${roomId}`);
    expect(userText(next!)).not.toContain(`busy${roomId}-`);
  });

  it("goes to the owner's direct room only once the bot knows it, and tells them how until then", async () => {
    const roomId = newRoomId();
    const directRoom = newRoomId();
    const refused = await ask(
      roomId,
      ADA,
      calling(`dm${roomId}`, "subscribe_digest", { time: "09:00", days: WEEKDAYS, where: "direct" }),
      { roomName: roomName(roomId) },
    );
    expect(refused.body).toContain("I don&#39;t know their direct room with me yet");
    expect(refused.body).toContain("send me a direct message once");

    // She writes to the bot directly: its conversation's birth tells the digests where that is.
    await ask(directRoom, ADA, `hello${directRoom}`, { direct: true });
    const id = await subscribe(roomId, ADA, { time: "09:00", days: WEEKDAYS, where: "direct" });
    expect(await stored(id)).toMatchObject({ roomId, postRoomId: directRoom });

    const news = `private${roomId}`;
    await say(roomId, GRACE, `${news}: budget approved`);
    const roomPosts = await botPosts(roomId);
    await fireAt("2027-03-26T08:00:00Z", directRoom);
    expect(await botPosts(roomId)).toBe(roomPosts);
    expect((await fakeCampfire.messages(directRoom)).at(-1)!.body).toContain(news);

    // Someone else writes there: it is no longer hers alone, and no summary of her room goes there again.
    await say(directRoom, GRACE, "hi both");
    await say(roomId, GRACE, `secret${roomId}: the numbers`);
    const directPosts = await botPosts(directRoom);
    await fireAt("2027-03-29T07:00:00Z", directRoom);
    expect(await stored(id)).toMatchObject({ endedWhy: "shared_direct_room" });
    expect(await botPosts(directRoom)).toBe(directPosts);
  });

  it("follows the person's own time zone when they give one, and refuses one that is not a time zone", async () => {
    const roomId = newRoomId();
    const id = await subscribe(roomId, ADA, { time: "09:00", days: WEEKDAYS, time_zone: "America/New_York" });
    // New York is on summer time already (since 14 March): 9:00 there is 13:00 UTC, still to come today.
    expect(await stored(id)).toMatchObject({ timeZone: "America/New_York", nextDueAt: utc("2027-03-25T13:00:00Z") });
    const refused = await ask(
      roomId,
      ADA,
      calling(`zone${roomId}`, "subscribe_digest", { time: "09:00", time_zone: "Mars/Olympus" }),
      { roomName: roomName(roomId) },
    );
    expect(refused.body).toContain("is not an IANA time zone");
  });

  it("refuses a schedule more often than hourly, and an eleventh digest for one person", async () => {
    const roomId = newRoomId();
    const often = await ask(roomId, ADA, calling(`often${roomId}`, "subscribe_digest", { cron: "*/10 * * * *" }), {
      roomName: roomName(roomId),
    });
    expect(often.body).toContain("at most once an hour");
    for (let hour = 0; hour < 10; hour++) await subscribe(roomId, ADA, { time: `${10 + hour}:00` });
    const eleventh = await ask(roomId, ADA, calling(`eleventh${roomId}`, "subscribe_digest", { time: "08:00" }), {
      roomName: roomName(roomId),
    });
    expect(eleventh.body).toContain("They already have 10 digests with Digester");
    expect((await digests().all()).filter((digest) => digest.endedAt === null)).toHaveLength(10);
  });
});

describe("the digests admin API", () => {
  it("lists one bot's subscriptions as metadata, and ends one, audited", async () => {
    const roomId = newRoomId();
    const id = await subscribe(roomId, ADA, { time: "09:00", days: WEEKDAYS, focus: "the secret launch date" });
    const listed = await admin("GET", `/digests/${BOT}`);
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as { live: number; digests: Record<string, unknown>[] };
    expect(body.live).toBe(1);
    expect(body.digests[0]).toMatchObject({
      id,
      owner: ADA,
      room: roomId,
      postedIn: "room",
      cron: "0 9 * * MON-FRI",
      timeZone: "Europe/Berlin",
      nextDueAt: "2027-03-26T08:00:00.000Z",
      endedAt: null,
    });
    expect(JSON.stringify(body)).not.toContain("secret launch");

    expect((await admin("DELETE", `/digests/${BOT}/${id}`)).status).toBe(200);
    expect(await stored(id)).toMatchObject({ endedWhy: "admin" });
    expect((await admin("DELETE", `/digests/${BOT}/${id}`)).status).toBe(404);
    const audit = (await (await admin("GET", `/audit?bot=${BOT}&kind=digest.cancelled`)).json()) as {
      entries: { by: unknown; about: number; detail: { digest: number } }[];
    };
    expect(audit.entries.find((entry) => entry.detail.digest === id)).toMatchObject({ by: "admin", about: ADA.id });
  });

  it("answers 401 without the token, 404 for an unknown bot, 400 for an id that is not a number", async () => {
    expect((await admin("GET", `/digests/${BOT}`, "wrong")).status).toBe(401);
    expect((await admin("GET", "/digests/nobody")).status).toBe(404);
    expect((await admin("DELETE", `/digests/${BOT}/abc`)).status).toBe(400);
  });
});
