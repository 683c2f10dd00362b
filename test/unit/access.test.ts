import { describe, expect, it } from "vitest";
import type { BotAccess } from "../../src/config/bot";
import { type AccessRule, accessRule, askerOf, REFUSALS } from "../../src/webhook/access";
import { parsePayload } from "../../src/webhook/payload";

const everyone: BotAccess = { rooms: null, blockRooms: [], users: null, blockUsers: [], directMessages: true };
const rule = (access: Partial<BotAccess>, asker: { roomId?: number; userId?: number; direct?: boolean } = {}) =>
  accessRule({ access: { ...everyone, ...access } }, { roomId: 3, userId: 7, direct: false, ...asker });

describe("accessRule", () => {
  it.each<[string, Partial<BotAccess>, { roomId?: number; userId?: number; direct?: boolean }, AccessRule | null]>([
    ["no lists: every room and person, direct rooms too", {}, { direct: true }, null],
    ["a listed room", { rooms: [3, 7] }, {}, null],
    ["a room not in the list", { rooms: [3, 7] }, { roomId: 4 }, "room_not_allowed"],
    ["a blocked room", { blockRooms: [3] }, {}, "room_blocked"],
    ["a room both listed and blocked: the block wins", { rooms: [3], blockRooms: [3] }, {}, "room_blocked"],
    ["a blocked room among others", { blockRooms: [5, 6] }, {}, null],
    ["a listed person", { users: [7, 8] }, {}, null],
    ["a person not in the list", { users: [8] }, {}, "user_not_allowed"],
    ["a blocked person", { blockUsers: [7] }, {}, "user_blocked"],
    ["a person both listed and blocked: the block wins", { users: [7], blockUsers: [7] }, {}, "user_blocked"],
    ["a direct room with direct messages off", { directMessages: false }, { direct: true }, "direct_messages_off"],
    ["a shared room with direct messages off", { directMessages: false }, {}, null],
    [
      "a direct room is a room: unlisted, it is not served",
      { rooms: [3] },
      { roomId: 99, direct: true },
      "room_not_allowed",
    ],
    ["a listed direct room", { rooms: [99] }, { roomId: 99, direct: true }, null],
    [
      "a blocked person in a blocked room hears about themselves",
      { blockRooms: [3], blockUsers: [7] },
      {},
      "user_blocked",
    ],
    [
      "a person not listed, writing directly to a bot without direct messages",
      { users: [8], directMessages: false },
      { direct: true },
      "user_not_allowed",
    ],
    [
      "direct messages off comes before the room lists",
      { rooms: [3], directMessages: false },
      { roomId: 99, direct: true },
      "direct_messages_off",
    ],
  ])("%s", (_, access, asker, expected) => {
    expect(rule(access, asker)).toBe(expected);
  });

  it("tells people in a sentence why, and what to do, with nothing Campfire would read as markup", () => {
    expect(REFUSALS.room_not_allowed).toBe("I'm not enabled in this room — ask a Campfire admin.");
    expect(REFUSALS.room_blocked).toBe(REFUSALS.room_not_allowed);
    expect(REFUSALS.user_not_allowed).toBe("I'm not enabled for you — ask a Campfire admin.");
    expect(REFUSALS.user_blocked).toBe(REFUSALS.user_not_allowed);
    expect(REFUSALS.direct_messages_off).toBe("I don't take direct messages — mention me in a room instead.");
    for (const sentence of Object.values(REFUSALS)) expect(sentence).not.toMatch(/[<>&]/);
  });

  it.each<[string, unknown, { roomId: number; userId: number; direct: boolean }]>([
    [
      "Campfire's direct room, sent with room.name null",
      {
        user: { id: 7, name: "Ada" },
        room: { id: 3, name: null, path: "/rooms/3/4-GZfqGLxdULBM/messages" },
        message: { id: 1, body: { html: "", plain: "hi" }, path: "/rooms/3/@1" },
      },
      { roomId: 3, userId: 7, direct: true },
    ],
    [
      "Campfire's shared room",
      {
        user: { id: 7, name: "Ada" },
        room: { id: 3, name: "Watercooler", path: "/rooms/3/4-GZfqGLxdULBM/messages" },
        message: { id: 1, body: { html: "", plain: "hi" }, path: "/rooms/3/@1" },
      },
      { roomId: 3, userId: 7, direct: false },
    ],
    [
      "the flat payload, which has no direct rooms, even without a name",
      { creator: { id: 9, name: "Grace" }, room: { id: 5, name: null }, content: "hi" },
      { roomId: 5, userId: 9, direct: false },
    ],
  ])("reads who asks, and where, from %s", (_, body, asker) => {
    const parsed = parsePayload(body);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(askerOf(parsed)).toEqual(asker);
  });
});
