import { afterEach, describe, expect, it, vi } from "vitest";
import { readAfter, readSince } from "../../src/campfire/span";
import { emulatedRoom } from "./emulated-room";

const ADA = { id: 7, name: "Ada Lovelace", role: "member" as const };
const START = Date.parse("2026-11-30T08:00:00Z");

/** A room of the emulated Campfire, and who said what. */
function campfire() {
  const { store, requests, room } = emulatedRoom();
  /** Says `count` messages one minute apart from `from`; returns their ids. */
  const say = (count: number, from: number) =>
    Array.from({ length: count }, (_, i) => {
      vi.setSystemTime(from + i * 60_000);
      return store.post(1, ADA, { html: `m${i}` }).id;
    });
  return { room, say, requests };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("reading a room forward after a message", () => {
  it("reads every message after the one given, oldest first, across pages", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { room, say, requests } = campfire();
    const ids = say(100, START);
    const span = await readAfter(room, ids[9]!);
    expect(span?.messages.map((m) => m.id)).toEqual(ids.slice(10));
    expect(span?.cut).toBe(false);
    // 90 messages: 40, 40 and the last 10, each page after the last message read.
    expect(requests).toEqual([`/messages?after=${ids[9]}`, `/messages?after=${ids[49]}`, `/messages?after=${ids[89]}`]);
  });

  it("stops at its page bound and says the span goes on", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { room, say } = campfire();
    const ids = say(100, START);
    const span = await readAfter(room, ids[0]!, 2);
    expect(span?.messages.map((m) => m.id)).toEqual(ids.slice(1, 81));
    expect(span?.cut).toBe(true);
  });

  it("finds nothing after the newest message", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { room, say } = campfire();
    const ids = say(5, START);
    expect(await readAfter(room, ids[4]!)).toEqual({ messages: [], cut: false });
  });

  it("refuses an id that is not a message of the room", async () => {
    const { room } = campfire();
    await expect(readAfter(room, 987_654)).rejects.toThrow("no message 987654 in this room");
  });
});

describe("reading a room since a time", () => {
  it("reads exactly the messages at or after the time, oldest first, paging back from the newest", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { room, say, requests } = campfire();
    const ids = say(100, START);
    // Messages are a minute apart: since minute 25 is the last 75.
    const span = await readSince(room, START + 25 * 60_000);
    expect(span?.messages.map((m) => m.id)).toEqual(ids.slice(25));
    expect(span?.cut).toBe(false);
    expect(requests).toEqual(["/messages", `/messages?before=${ids[60]}`]);
  });

  it("keeps the newest part when more was said than its page bound reads", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { room, say } = campfire();
    const ids = say(100, START);
    const span = await readSince(room, START, 2);
    expect(span?.messages.map((m) => m.id)).toEqual(ids.slice(20));
    expect(span?.cut).toBe(true);
  });

  it("reads the whole room when the time is before its first message", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { room, say } = campfire();
    const ids = say(30, START);
    expect((await readSince(room, START - 86_400_000))?.messages.map((m) => m.id)).toEqual(ids);
  });

  it("finds nothing when nothing was said since", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { room, say } = campfire();
    say(30, START);
    expect(await readSince(room, START + 3_600_000)).toEqual({ messages: [], cut: false });
  });
});
