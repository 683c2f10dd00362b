import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { shownMessages } from "../shown-messages";
import {
  campfirePayload,
  fakeAnthropic,
  fakeCampfire,
  newRoomId,
  pendingWork,
  postWebhook,
  type RecordedRequest,
  TEST_KEYS,
} from "./helpers";

// The butler reads room history (Europe/Berlin, 3 tool rounds); Ada (user 7) asks, Grace (8) and Alan (9) talk.
const ADA = { id: 7, name: "Ada Lovelace" };
const GRACE = { id: 8, name: "Grace Hopper" };
const ALAN = { id: 9, name: "Alan Turing" };
const HOUR = 3_600_000;

/** A person's message in the fake Campfire, now or written `at` an earlier time; resolves with its id. */
async function say(roomId: number, user: typeof ADA, body: string, at?: number): Promise<number> {
  const response = await fetch(`${env.CAMPFIRE_URL}/_fake/say`, {
    method: "POST",
    body: JSON.stringify({ roomId, user, body, at }),
  });
  return ((await response.json()) as { id: number }).id;
}

/**
 * Ada asks the butler in `roomId`, as Campfire's webhook for her message `messageId`; the fake model calls
 * room_history with `input` (then, with `follow`, as each result asks) and answers with what it was given.
 */
async function ask(
  roomId: number,
  marker: string,
  input: unknown,
  options: { messageId?: number; follow?: number } = {},
) {
  const follow = options.follow ? `,follow,rounds=${options.follow}` : "";
  const text = `${marker} [fake:tool=room_history,input=${encodeURIComponent(JSON.stringify(input))}${follow},id=${marker}]`;
  const payload = campfirePayload({ roomId, text, key: TEST_KEYS.butler, messageId: options.messageId, userId: 7 });
  const before = (await fakeCampfire.messages(roomId)).length;
  expect((await postWebhook(payload, { botId: "butler" })).status).toBe(204);
  // Done when its answer is posted, every part of it.
  await vi.waitFor(
    async () => {
      if ((await fakeCampfire.messages(roomId)).length === before || (await pendingWork(roomId, "butler")) > 0)
        throw new Error(`the turn in room ${roomId} is not done`);
    },
    { timeout: 15_000, interval: 50 },
  );
  const answer = (await fakeCampfire.messages(roomId))
    .slice(before)
    .map((message) => message.body)
    .join("\n");
  return { answer, pieces: pieces((await fakeAnthropic.requestsMentioning(marker)).at(-1)!, marker) };
}

/** The tool results the model was given in the turn's last request, one per round, as text. */
function pieces(request: RecordedRequest, marker: string): { content: string; is_error?: boolean }[] {
  const turn = request.body.messages.findLastIndex(
    (message) => message.role === "user" && JSON.stringify(message).includes(marker),
  );
  return request.body.messages
    .slice(turn + 1)
    .filter((message) => message.role === "user")
    .flatMap((message) => message.content as unknown as { type: string; content: string; is_error?: boolean }[])
    .filter((block) => block.type === "tool_result");
}

/** The ids of the message lines of a piece, in order. */
const ids = (piece: string) => shownMessages(piece).map((message) => message.id);

/** A message's link as the posted answer carries it: made absolute on Campfire's URL, so it is clickable there. */
const link = (roomId: number, id: number) => `href="${env.CAMPFIRE_URL}/rooms/${roomId}/@${id}"`;

/** The wall time of `instant` in Berlin, as a person there writes it: "2026-11-30 09:00". */
const berlin = (instant: number) =>
  new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Berlin", dateStyle: "short", timeStyle: "short" }).format(
    instant,
  );

describe("catch me up", () => {
  it("reads from the asker's own last message in the room, up to the question, and the answer links each message since", async () => {
    const roomId = newRoomId();
    const marker = `mine${roomId}`;
    const earlier = await say(roomId, GRACE, "before Ada left");
    const last = await say(roomId, ADA, "off to lunch");
    const missed = [await say(roomId, GRACE, "we ship on Friday"), await say(roomId, ALAN, "the numbers are in")];
    const question = await say(roomId, ADA, "catch me up");

    const {
      answer,
      pieces: [piece],
    } = await ask(roomId, marker, { since_my_last_message: true }, { messageId: question });
    expect(piece!.is_error).toBeUndefined();
    expect(ids(piece!.content)).toEqual(missed);
    expect(piece!.content).toContain(`Ada Lovelace's last message here was ${last}, `);
    for (const id of missed) expect(answer).toContain(link(roomId, id));
    expect(answer).not.toContain(link(roomId, earlier));
    expect(answer).not.toContain(link(roomId, question));
  });

  it("since a time reads exactly the messages from then on, a time without an offset read in the bot's time zone", async () => {
    const roomId = newRoomId();
    const marker = `since${roomId}`;
    const start = Math.floor((Date.now() - 3 * 24 * HOUR) / HOUR) * HOUR;
    const said = [];
    for (let hour = 0; hour < 4; hour++) said.push(await say(roomId, GRACE, `hour ${hour}`, start + hour * HOUR));

    const {
      answer,
      pieces: [piece],
    } = await ask(roomId, marker, { since: berlin(start + HOUR) });
    expect(ids(piece!.content)).toEqual(said.slice(1));
    expect(piece!.content).toMatch(/^Since .+ \(Europe\/Berlin\):\n3 messages, /);
    for (const id of said.slice(1)) expect(answer).toContain(link(roomId, id));
    expect(answer).not.toContain(link(roomId, said[0]!));
  });

  it("after an id reads on across several Campfire pages, each piece starting where the one before ended", async () => {
    const roomId = newRoomId();
    const marker = `after${roomId}`;
    const said = [];
    for (let i = 0; i < 100; i++) said.push(await say(roomId, GRACE, `${i}: ${"status update ".repeat(7)}`));

    const { pieces: read } = await ask(roomId, marker, { after_id: said[9] }, { follow: 5 });
    expect(read.length).toBeGreaterThan(1);
    expect(read.flatMap((piece) => ids(piece.content))).toEqual(said.slice(10));
    expect(read.at(-1)!.content.endsWith("That is everything up to now.")).toBe(true);
  });

  it("reads a span longer than its tool rounds piece by piece within the turn, then answers saying where what it read ends", async () => {
    const roomId = newRoomId();
    const marker = `long${roomId}`;
    const last = await say(roomId, ADA, "see you tomorrow");
    const missed = [];
    for (let i = 0; i < 150; i++)
      missed.push(await say(roomId, GRACE, `${i}: ${"a long day of decisions ".repeat(12)}`));
    const question = await say(roomId, ADA, "what did I miss?");

    // The model reads on for as long as the pieces ask it to; the butler's 3 rounds leave two to read in.
    const { answer, pieces: read } = await ask(
      roomId,
      marker,
      { since_my_last_message: true },
      { messageId: question, follow: 10 },
    );
    expect(read).toHaveLength(2);
    const covered = read.flatMap((piece) => ids(piece.content));
    expect(covered).toEqual(missed.slice(0, covered.length));
    expect(covered.length).toBeLessThan(missed.length);
    for (const piece of read)
      expect(piece.content).toMatch(
        /(^|\n)\d+ messages, .+ \(Europe\/Berlin\) to .+ \(Europe\/Berlin\), .+; link one as \/rooms\/\d+\/@<id>:\n/,
      );
    expect(read[0]!.content).toMatch(/More: call again with \{"after_id":\d+\}$/);
    expect(read[1]!.content).toMatch(
      new RegExp(
        `More from \\{"after_id":${covered.at(-1)}\\}, but that was your last tool round: answer from what you read and say which span it covers\\.$`,
      ),
    );
    // An answer from what was read, not the loop's note that it ran out of rounds.
    expect(answer).toContain(`last message here was ${last}`);
    expect(answer).not.toContain("I stopped after");
  });

  it("answers an id not in the room and a time it cannot read with a clear sentence, and the room reads as before", async () => {
    const roomId = newRoomId();
    await say(roomId, GRACE, "the build is green again");
    const unknown = await ask(roomId, `unknown${roomId}`, { after_id: 987654321 });
    expect(unknown.pieces[0]).toMatchObject({ is_error: true });
    expect(unknown.pieces[0]!.content).toContain("Campfire has no message 987654321 in this room");

    const malformed = await ask(newRoomId(), `malformed${roomId}`, { since: "the day before yesterday" });
    expect(malformed.pieces[0]).toMatchObject({
      is_error: true,
      content:
        '"the day before yesterday" is not a time I can read: give an ISO date-time such as 2026-11-30T09:00 (in Europe/Berlin) or 2026-11-30T08:00Z.',
    });

    // A 404 for an unknown id is not an older Campfire's: the room's history is still read.
    const again = await ask(roomId, `again${roomId}`, {});
    expect(again.pieces[0]!.content).toContain("the build is green again");
  });
});
