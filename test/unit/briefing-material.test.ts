import { describe, expect, it, vi } from "vitest";
import type { RoomMessage } from "../../src/campfire/client";
import type { BotConfig, Schedule } from "../../src/config";
import { answerKeeper, keptDocument } from "../../src/schedules/archive";
import { firingSpan } from "../../src/schedules/firing";
import {
  BRIEFING_BOUNDS,
  briefingChars,
  briefingPrompt,
  type SourceRead,
  withNotes,
} from "../../src/schedules/material";
import { shownMessages } from "../shown-messages";

const BASE = "https://chat.example.com";
const SINCE = Date.parse("2026-11-23T09:00:00Z");
const UNTIL = Date.parse("2026-11-30T09:00:00Z");
const HOUR = 3_600_000;
const BOT = 10;

let nextId = 1;
/** `count` messages an hour apart from `from`, each `size` characters long. */
function said(count: number, from = SINCE + HOUR, size = 20): RoomMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const id = nextId++;
    return {
      id,
      createdAt: new Date(from + i * HOUR).toISOString(),
      text: `m${id} `.padEnd(size, "x"),
      creator: { id: 7, name: "Ada Lovelace" },
    };
  });
}

const read = (roomId: number, messages: RoomMessage[], cut = false): SourceRead => ({
  roomId,
  span: { messages, cut },
});

function briefing(sources: SourceRead[], totalChars: number = BRIEFING_BOUNDS.totalChars) {
  return briefingPrompt({
    prompt: "Brief us.",
    since: SINCE,
    until: UNTIL,
    sources,
    timeZone: "UTC",
    botUserId: BOT,
    totalChars,
  });
}

const prompt = (sources: SourceRead[], totalChars?: number) => briefing(sources, totalChars).text;

/** One room's section of the prompt. */
const sectionOf = (text: string, roomId: number) =>
  text.split("\n\n").find((part) => part.startsWith(`Room ${roomId}`)) ?? "";

/** The messages one room's section shows. */
const linesOf = (text: string, roomId: number) => shownMessages(sectionOf(text, roomId));

/** The characters of one room's message lines, as the bounds count them (each with its newline). */
const sizeOf = (text: string, roomId: number) =>
  sectionOf(text, roomId)
    .split("\n")
    .filter((line) => line.startsWith("["))
    .reduce((n, line) => n + line.length + 1, 0);

const notesOf = (text: string) =>
  /End the briefing with these notes, word for word:\n([\s\S]*)$/
    .exec(text)?.[1]
    ?.split("\n")
    .map((note) => note.replace(/^- /, "")) ?? [];

describe("a briefing's prompt", () => {
  it("starts with the operator's prompt and the span, then each room's messages oldest first, each with its link", () => {
    const room3 = said(3);
    const room7 = said(2);
    const text = prompt([read(3, room3), read(7, room7)]);
    expect(text.startsWith("Brief us.\n\nWrite it only from the rooms below")).toBe(true);
    expect(text).toContain("between 2026-11-23 09:00 UTC and 2026-11-30 09:00 UTC");
    expect(linesOf(text, 3).map((line) => line.id)).toEqual(room3.map((m) => m.id));
    expect(linesOf(text, 7)[1]).toMatchObject({ id: room7[1]!.id, link: `/rooms/7/@${room7[1]!.id}` });
    expect(text).toContain("Room 3, 3 messages; link one as /rooms/3/@<id>:");
    expect(notesOf(text)).toEqual([]);
  });

  it.each([
    ["a message before the previous firing", SINCE - 1],
    ["a message at this firing", UNTIL],
    ["a message after this firing (the trigger came late)", UNTIL + 60_000],
  ])("leaves out %s: it belongs to another firing's span", (_, at) => {
    const [outside] = said(1, at);
    const [inside] = said(1, SINCE);
    const text = prompt([
      read(
        3,
        [outside!, inside!].sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
      ),
    ]);
    expect(linesOf(text, 3).map((line) => line.id)).toEqual([inside!.id]);
  });

  it.each<[string, () => SourceRead[], number, RegExp[]]>([
    [
      "a room whose read stopped at the page bound says so",
      () => [read(3, said(5), true)],
      BRIEFING_BOUNDS.totalChars,
      [/^Room 3 had more messages than one briefing reads: this covers its newest 5, from 2026-11-23 10:00 UTC on\.$/],
    ],
    [
      "a room beyond its share keeps its newest messages and says how many",
      () => [read(3, said(100, SINCE, 300))],
      4_000,
      [/^Room 3 had more messages than one briefing reads: this covers its newest 12, from 2026-11-27 01:00 UTC on\.$/],
    ],
    [
      "a room that could not be read is named with the reason, in the operator's order",
      () => [read(3, said(1)), { roomId: 9, unreadable: "Campfire answered 404" }, read(7, said(1))],
      BRIEFING_BOUNDS.totalChars,
      [/^I could not read room 9: Campfire answered 404$/],
    ],
    [
      "a long reason a room could not be read is cut to its bound",
      () => [{ roomId: 9, unreadable: `Campfire could not be reached: ${"x".repeat(5_000)}` }],
      BRIEFING_BOUNDS.totalChars,
      [
        new RegExp(
          `^I could not read room 9: (?=.{${BRIEFING_BOUNDS.reasonChars}}$)Campfire could not be reached: x+$`,
        ),
      ],
    ],
  ])("%s", (_, sources, total, notes) => {
    const made = briefing(sources(), total);
    const found = notesOf(made.text);
    expect(found).toHaveLength(notes.length);
    for (const [index, note] of notes.entries()) expect(found[index]).toMatch(note);
    // The notes its answer must carry are the ones the prompt asks for.
    expect(made.notes).toEqual(found);
  });

  it("names an unreadable room in its place among the rooms, and says a quiet room was quiet", () => {
    const text = prompt([read(3, []), { roomId: 9, unreadable: "Campfire answered 404" }]);
    expect(text).toContain("Room 3: nothing was said.\n\nRoom 9: could not be read (Campfire answered 404).");
  });

  it("shares the total among rooms: a small room whole, the big ones an equal part of the rest", () => {
    const small = said(3, SINCE, 50);
    const text = prompt([read(1, said(200, SINCE, 300)), read(2, small), read(3, said(200, SINCE, 300))], 20_000);
    expect(linesOf(text, 2)).toHaveLength(3);
    const big = [sizeOf(text, 1), sizeOf(text, 3)];
    const smallSize = sizeOf(text, 2);
    for (const size of big) {
      expect(size).toBeLessThanOrEqual((20_000 - smallSize) / 2);
      expect(size).toBeGreaterThan((20_000 - smallSize) / 2 - 500);
    }
    expect(notesOf(text).map((note) => note.slice(0, 7))).toEqual(["Room 1 ", "Room 3 "]);
  });

  it("holds no room to more than its own bound, whatever the total", () => {
    const text = prompt([read(1, said(300, SINCE, 300))], 1_000_000);
    const size = sizeOf(text, 1);
    expect(size).toBeLessThanOrEqual(BRIEFING_BOUNDS.sourceChars);
    expect(size).toBeGreaterThan(BRIEFING_BOUNDS.sourceChars - 500);
  });

  it("cuts a long message to the message bound, and leaves out messages with no text and the bot's own", () => {
    const [long, blank, own] = said(3, SINCE, 5_000);
    blank!.text = "   ";
    own!.creator = { id: BOT, name: "Butler" };
    const lines = linesOf(prompt([read(3, [long!, blank!, own!])]), 3);
    expect(lines.map((line) => line.id)).toEqual([long!.id]);
    expect(lines[0]!.text).toMatch(/^m\d+ x+\n\[… cut: the message had 5,000 characters/);
  });

  it("carries at most half a small history budget: the briefing's turn joins that history", () => {
    expect(briefingChars(100_000)).toBe(BRIEFING_BOUNDS.totalChars);
    expect(briefingChars(10_000)).toBe(20_000);
  });
});

describe("a briefing's answer with its notes", () => {
  const unread = "I could not read room 9: Campfire answered 404";
  const cut = "Room 3 had more messages than one briefing reads: this covers its newest 5.";
  it.each([
    ["an answer with no notes to carry is unchanged", "The launch moved.", [], "The launch moved."],
    [
      "an answer that already names the room is unchanged",
      `The launch moved.\n\n- ${unread}`,
      [unread],
      `The launch moved.\n\n- ${unread}`,
    ],
    [
      "a note the model wrapped over two lines counts as named",
      `The launch moved. I could not read room 9:\nCampfire answered 404`,
      [unread],
      `The launch moved. I could not read room 9:\nCampfire answered 404`,
    ],
    [
      "an answer that leaves the note out gets it as its last paragraph",
      "The launch moved.",
      [unread],
      `The launch moved.\n\n${unread}`,
    ],
    [
      "a note carried by two firings of one turn is added once",
      "The launch moved.",
      [unread, unread],
      `The launch moved.\n\n${unread}`,
    ],
    [
      "of several notes only the missing ones are added, in order",
      `The launch moved. ${cut}`,
      [cut, unread],
      `The launch moved. ${cut}\n\n${unread}`,
    ],
    [
      "several missing notes are added in order, a paragraph each",
      "The launch moved.",
      [unread, cut],
      `The launch moved.\n\n${unread}\n\n${cut}`,
    ],
  ])("%s", (_, answer, notes, posted) => {
    expect(withNotes(answer, notes)).toBe(posted);
    // Composed again (a retried turn), the same answer is the same text: nothing is added twice.
    expect(withNotes(posted, notes)).toBe(posted);
  });
});

describe("the span a firing covers", () => {
  it.each([
    ["a weekly cron on time", "0 9 * * MON", "2026-11-30T09:00:00Z", "2026-11-23T09:00:00Z", "2026-11-30T09:00:00Z"],
    [
      "the same firing delivered late",
      "0 9 * * MON",
      "2026-11-30T09:07:31Z",
      "2026-11-23T09:00:00Z",
      "2026-11-30T09:00:00Z",
    ],
    [
      "a weekday cron on Monday: since Friday",
      "30 8 * * MON-FRI",
      "2026-11-30T08:30:00Z",
      "2026-11-27T08:30:00Z",
      "2026-11-30T08:30:00Z",
    ],
    [
      "the next firing starts where this one ended",
      "30 8 * * MON-FRI",
      "2026-12-01T08:30:00Z",
      "2026-11-30T08:30:00Z",
      "2026-12-01T08:30:00Z",
    ],
  ])("%s", (_, cron, scheduled, since, until) => {
    expect(firingSpan(cron, Date.parse(scheduled))).toEqual({ since: Date.parse(since), until: Date.parse(until) });
  });
});

describe("a posted briefing as a document", () => {
  const schedule: Schedule = {
    cron: "30 8 * * MON-FRI",
    roomId: 1,
    prompt: "Brief us.",
    sources: [1, 2, 3],
    library: "briefings",
    keep: 60,
  };
  const kept = (firingTime: string, cron = schedule.cron) =>
    keptDocument({
      schedule: { ...schedule, cron },
      firingTime: Date.parse(firingTime),
      roomName: "Watercooler",
      timeZone: "Europe/Berlin",
      campfireUrl: BASE,
      text: "The launch moved to Friday.",
    });

  it("is named by its schedule and firing, titled by room and local date, and holds the text", () => {
    expect(kept("2026-11-30T08:30:00Z")).toEqual({
      id: "briefing-1-30_8_x_x_MON-FRI-2026-11-30-0830",
      title: "Briefing for Watercooler — Monday, 30 November 2026",
      source: `${BASE}/rooms/1`,
      body: "# Briefing for Watercooler — Monday, 30 November 2026\n\nPosted in room 1 at 2026-11-30 08:30 UTC, written from rooms 1, 2, 3.\n\nThe launch moved to Friday.",
    });
  });

  it.each([
    [
      "a firing delivered late is the same document",
      "2026-11-30T08:31:10Z",
      "30 8 * * MON-FRI",
      "briefing-1-30_8_x_x_MON-FRI-2026-11-30-0830",
    ],
    [
      "the next firing is another",
      "2026-12-01T08:30:00Z",
      "30 8 * * MON-FRI",
      "briefing-1-30_8_x_x_MON-FRI-2026-12-01-0830",
    ],
    [
      "a cron with steps and lists spells them",
      "2026-11-30T12:00:00Z",
      "0 */6 * * MON,WED",
      "briefing-1-0_xs6_x_x_MON.WED-2026-11-30-1200",
    ],
  ])("%s", (_, at, cron, id) => {
    expect(kept(at, cron).id).toBe(id);
  });
});

describe("keeping a posted briefing", () => {
  const schedule: Schedule = {
    cron: "0 9 * * MON",
    roomId: 1,
    prompt: "Brief us.",
    sources: [2],
    library: "briefings",
    keep: 2,
  };
  const bot = { id: "butler", timeZone: "UTC", schedules: [schedule] } as unknown as BotConfig;
  const room = { id: 1, name: "Watercooler", campfireUrl: BASE };

  it("never fails the delivery it follows: a library that cannot store is logged, and the keeper resolves", async () => {
    const failing = { KNOWLEDGE: { getByName: () => ({ put: () => Promise.reject(new Error("storage is down")) }) } };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const keep = answerKeeper(failing as unknown as Env, bot, room, () => {})!;
      await expect(keep(["schedule:0 9 * * MON:1795942800000"], "The launch moved.")).resolves.toBeUndefined();
      expect(warn.mock.calls.map(([line]) => JSON.parse(line as string))).toEqual([
        expect.objectContaining({
          event: "briefing.not_kept",
          bot: "butler",
          library: "briefings",
          error: "storage is down",
        }),
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it("keeps nothing for a room none of whose schedules names a library", () => {
    expect(answerKeeper({} as Env, bot, { ...room, id: 2 }, () => {})).toBeUndefined();
    expect(
      answerKeeper({} as Env, { ...bot, schedules: [{ ...schedule, library: null }] }, room, () => {}),
    ).toBeUndefined();
  });
});
