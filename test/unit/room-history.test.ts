import { describe, expect, it } from "vitest";
import { roomHistory, sinceInstant } from "../../src/tools/room-history";
import type { ToolContext } from "../../src/tools/tool";
import { TEST_KEYS } from "../bots";
import { shownMessages } from "../shown-messages";
import { emulatedRoom } from "./emulated-room";

const _KEY = TEST_KEYS.assistant;
const ZONE = "Europe/Berlin";
const NOW = Date.parse("2026-12-01T12:00:00Z");
const ADA = { id: 7, name: "Ada Lovelace", role: "member" as const };
const GRACE = { id: 8, name: "Grace Hopper", role: "member" as const };
const MINUTE = 60_000;

describe("reading the time room_history's since names", () => {
  const now = new Date(NOW);
  it.each([
    ["an offset-less time, in the bot's time zone (CET in winter)", "2026-11-30T09:00", "2026-11-30T08:00:00.000Z"],
    ["a space instead of the T, with seconds", "2026-11-30 09:00:30", "2026-11-30T08:00:30.000Z"],
    ["an offset-less time in summer (CEST)", "2026-07-01T09:00", "2026-07-01T07:00:00.000Z"],
    ["a date alone: its midnight in the bot's time zone", "2026-11-30", "2026-11-29T23:00:00.000Z"],
    ["UTC", "2026-11-30T09:00Z", "2026-11-30T09:00:00.000Z"],
    ["UTC with milliseconds", "2026-11-30T09:00:00.000Z", "2026-11-30T09:00:00.000Z"],
    ["an explicit offset", "2026-11-30T09:00+05:30", "2026-11-30T03:30:00.000Z"],
  ])("%s: %s", (_, text, instant) => {
    expect(new Date(sinceInstant(text, now, ZONE)!).toISOString()).toBe(instant);
  });

  it.each([
    ["words", "yesterday"],
    ["a relative time, which is never a past one", "in 2 hours"],
    ["a day not on the calendar", "2026-02-30T09:00"],
    ["an hour not on the clock", "2026-11-30T25:00"],
    ["a minute not on the clock", "2026-11-30T09:61"],
    ["another date order", "30.11.2026 09:00"],
    ["a date with words after it", "2026-11-30 morning"],
    ["nothing", ""],
  ])("refuses %s: %j", (_, text) => {
    expect(sinceInstant(text, now, ZONE)).toBeNull();
  });
});

/** A room of the emulated Campfire (once-campfire's paging), a turn's tool context in it, and who said what when. */
function room() {
  const { store, requests, room } = emulatedRoom();
  const context: ToolContext = {
    botId: "assistant",
    room,
    reminders: { add: () => 1, all: () => [], cancel: () => false },
    asker: { id: ADA.id, name: ADA.name },
    timeZone: ZONE,
    now: new Date(NOW),
  };
  const say = (who: typeof ADA, at: number, text = `said at ${new Date(at).toISOString()}`) =>
    store.post(1, who, { html: text }, at).id;
  return { context, say, requests };
}

const run = (input: Parameters<typeof roomHistory.run>[0], context: ToolContext) => roomHistory.run(input, context);
const refusal = (input: Parameters<typeof roomHistory.run>[0], context: ToolContext) =>
  run(input, context).then(
    (text) => `answered: ${text}`,
    (error: Error) => error.message,
  );
const ids = (piece: string) => shownMessages(piece).map((message) => message.id);

describe("room_history", () => {
  it("refuses two starting points at once, and a time it cannot read or still to come, asking Campfire nothing", async () => {
    const { context, requests } = room();
    expect(await refusal({ after_id: 3, since: "2026-11-30" }, context)).toBe(
      "Give one of before_id, after_id, since and since_my_last_message, not after_id and since.",
    );
    expect(await refusal({ since: "last tuesday" }, context)).toBe(
      '"last tuesday" is not a time I can read: give an ISO date-time such as 2026-11-30T09:00 (in Europe/Berlin) or 2026-11-30T08:00Z.',
    );
    expect(await refusal({ since: "2026-12-02T09:00" }, context)).toBe(
      "Wed, Dec 2, 2026, 09:00 (Europe/Berlin) is still to come: give a past time to read from.",
    );
    expect(requests).toEqual([]);
  });

  it("reads back from the asker's first message of the turn to their last one before it, across pages", async () => {
    const { context, say, requests } = room();
    say(GRACE, NOW - 200 * MINUTE);
    const last = say(ADA, NOW - 100 * MINUTE);
    const since = Array.from({ length: 60 }, (_, i) => say(GRACE, NOW - 99 * MINUTE + i * MINUTE));
    const question = say(ADA, NOW - MINUTE, "catch me up");
    say(GRACE, NOW, "after the question");
    const piece = await run({ since_my_last_message: true }, { ...context, askerMessageId: question });
    expect(piece).toContain(`Ada Lovelace's last message here was ${last}, `);
    expect(piece).toContain(`(/rooms/1/@${last}). Since then:\n60 messages, `);
    expect(ids(piece)).toEqual(since);
    expect(shownMessages(piece)[0]!.link).toBe(`/rooms/1/@${since[0]}`);
    expect(piece.endsWith("That is everything up to now.")).toBe(true);
    expect(requests).toEqual([`/messages?before=${question}`, `/messages?before=${since[20]}`]);
  });

  it("catches up on the last day instead when the asker wrote nothing earlier, and says so", async () => {
    const { context, say } = room();
    say(GRACE, NOW - 30 * 60 * MINUTE, "two days ago");
    const today = [say(GRACE, NOW - 20 * 60 * MINUTE), say(GRACE, NOW - 60 * MINUTE)];
    const question = say(ADA, NOW, "what did I miss?");
    const piece = await run({ since_my_last_message: true }, { ...context, askerMessageId: question });
    expect(piece).toMatch(
      /^Ada Lovelace wrote nothing earlier in this room, so this is the last day instead, since Mon, Nov 30, 2026, 13:00 \(Europe\/Berlin\):\n2 messages, /,
    );
    expect(ids(piece)).toEqual(today);
  });

  it("says the last day goes back further than the pages it reads, in a room too busy to find the asker in", async () => {
    const { context, say } = room();
    const busy = Array.from({ length: 420 }, (_, i) => say(GRACE, NOW - 420 * MINUTE + i * MINUTE, `m${i}`));
    const question = say(ADA, NOW, "catch me up");
    const piece = await run({ since_my_last_message: true }, { ...context, askerMessageId: question });
    expect(piece).toContain(
      `Ada Lovelace wrote nothing earlier in the 400 messages before this turn, so this is the last day instead, since Mon, Nov 30, 2026, 13:00 (Europe/Berlin) (it goes back further than message ${busy[20]}):`,
    );
    expect(ids(piece)[0]).toBe(busy[20]);
  });

  it("says where what it read starts when a time lies further back than the pages it reads", async () => {
    const { context, say } = room();
    const busy = Array.from({ length: 420 }, (_, i) => say(GRACE, NOW - 420 * MINUTE + i * MINUTE, `m${i}`));
    const piece = await run({ since: "2026-11-30T09:00" }, context);
    expect(piece).toContain(
      `Since Mon, Nov 30, 2026, 09:00 (Europe/Berlin) there are more than the 400 messages read back: this starts later, at message ${busy[20]} (older ones: {"before_id":${busy[20]}}).`,
    );
    expect(ids(piece)[0]).toBe(busy[20]);
  });

  it("cannot catch up a turn no one's message started", async () => {
    const { context } = room();
    expect(await refusal({ since_my_last_message: true }, context)).toMatch(/^This turn has no message of the asker/);
  });

  it("gives a long span in pieces of at most one result's size, each saying where the next one starts", async () => {
    const { context, say } = room();
    const start = say(GRACE, NOW - 1_000 * MINUTE);
    const all = Array.from({ length: 90 }, (_, i) =>
      say(GRACE, NOW - 900 * MINUTE + i * MINUTE, `${i} ${"x".repeat(300)}`),
    );
    const read: number[] = [];
    let next: unknown = { after_id: start };
    let pieces = 0;
    while (next) {
      const piece = await run(next as { after_id: number }, context);
      pieces++;
      expect(piece.length).toBeLessThan(12_500);
      read.push(...ids(piece));
      const asked = /More: call again with (\{.*\})$/.exec(piece);
      next = asked ? JSON.parse(asked[1]!) : null;
    }
    expect(read).toEqual(all);
    expect(pieces).toBeGreaterThan(2);
  });

  it("tells Claude, in the turn's last tool round, to answer from what it read instead of reading on", async () => {
    const { context, say } = room();
    const start = say(GRACE, NOW - 100 * MINUTE);
    const all = Array.from({ length: 60 }, (_, i) => say(GRACE, NOW - 90 * MINUTE + i * MINUTE, "z".repeat(400)));
    const last = await run({ after_id: start }, { ...context, toolRoundsLeft: 0 });
    const shown = ids(last);
    expect(shown).toEqual(all.slice(0, shown.length));
    expect(last).toMatch(
      new RegExp(
        `\\nMore from \\{"after_id":${shown.at(-1)}\\}, but that was your last tool round: answer from what you read and say which span it covers\\.$`,
      ),
    );
    expect(await run({ after_id: start }, { ...context, toolRoundsLeft: 1 })).toMatch(
      /\nMore: call again with \{"after_id":\d+\}$/,
    );
  });

  it("shows others' messages whole and its own cut short, each at its time in the bot's time zone", async () => {
    const { context, say } = room();
    const bot = { id: context.room.botUserId, name: "Assistant", role: "member" as const };
    const long = "w".repeat(1_500);
    say(GRACE, Date.parse("2026-11-30T22:30:00Z"), long);
    say(bot, Date.parse("2026-11-30T23:10:00Z"), `${"v".repeat(299)} ${"u".repeat(900)}`);
    const shown = shownMessages(await run({}, context));
    expect(shown.map(({ from, time, day }) => [from, time, day])).toEqual([
      ["Grace Hopper", "23:30", "Monday, November 30, 2026"],
      ["Assistant", "00:10", "Tuesday, December 1, 2026"],
    ]);
    expect(shown[0]!.text).toBe(long);
    expect(shown[1]!.text).toBe(`${"v".repeat(299)}…`);
  });

  it("keeps the newest messages of a page back when they do not all fit, and pages back from the oldest shown", async () => {
    const { context, say } = room();
    const all = Array.from({ length: 40 }, (_, i) => say(GRACE, NOW - 40 * MINUTE + i * MINUTE, "y".repeat(500)));
    const piece = await run({}, context);
    const shown = ids(piece);
    expect(shown).toEqual(all.slice(-shown.length));
    expect(shown.length).toBeLessThan(40);
    expect(piece.endsWith(`Older: call again with {"before_id":${shown[0]}}`)).toBe(true);
  });
});
