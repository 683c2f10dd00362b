import { describe, expect, it } from "vitest";
import { parsePayload } from "../../src/webhook/payload";

const campfire = () => ({
  user: { id: 7, name: "Ada Lovelace" },
  room: { id: 3, name: "Watercooler", path: "/rooms/3/4-GZfqGLxdULBM/messages" },
  message: {
    id: 1234,
    body: {
      html: '<div>Hey <action-text-attachment sgid="x"></action-text-attachment> what\'s up?</div>',
      plain: "  what's up? ",
    },
    path: "/rooms/3/@1234",
  },
});

describe("parsePayload", () => {
  it("reads Campfire's payload, with the bot key from room.path", () => {
    expect(parsePayload(campfire())).toEqual({
      ok: true,
      shape: "campfire",
      key: "4-GZfqGLxdULBM",
      basePath: "",
      message: {
        messageId: "1234",
        roomId: 3,
        roomName: "Watercooler",
        userId: 7,
        userName: "Ada Lovelace",
        text: "what's up?",
      },
    });
  });

  it("reads the older flat shape, which has no message id and no key", () => {
    expect(parsePayload({ creator: { id: 7, name: "Ada" }, room: { id: 3, name: "Lab" }, content: "hi" })).toEqual({
      ok: true,
      shape: "legacy",
      message: { messageId: null, roomId: 3, roomName: "Lab", userId: 7, userName: "Ada", text: "hi" },
    });
  });

  it.each([
    ["null", null],
    ["missing", undefined],
  ])("reads a direct-message room, whose name Campfire sends as %s", (_, name) => {
    const body = { ...campfire(), room: { id: 3, name, path: "/rooms/3/4-GZfqGLxdULBM/messages" } };
    expect(parsePayload(body)).toMatchObject({
      ok: true,
      shape: "campfire",
      message: { roomId: 3, roomName: null, userName: "Ada Lovelace" },
    });
  });

  it("still refuses a room name that is not text", () => {
    const body = { ...campfire(), room: { id: 3, name: 7, path: "/rooms/3/4-GZfqGLxdULBM/messages" } };
    expect(parsePayload(body)).toEqual({ ok: false, reason: "room.name must be a string" });
  });

  it("keeps a bare mention as empty text for the route to answer", () => {
    const body = campfire();
    body.message.body.plain = "";
    expect(parsePayload(body)).toMatchObject({ ok: true, message: { text: "" } });
  });

  const cases: [string, (body: ReturnType<typeof campfire>) => unknown, RegExp][] = [
    ["a missing user", ({ user, ...rest }) => rest, /^user is missing/],
    [
      "a missing plain body",
      (b) => ({ ...b, message: { ...b.message, body: { html: "" } } }),
      /message\.body\.plain is missing/,
    ],
    ["a room id given as text", (b) => ({ ...b, room: { ...b.room, id: "3" } }), /room\.id must be a number/],
    ["a fractional message id", (b) => ({ ...b, message: { ...b.message, id: 1.5 } }), /message\.id/],
    [
      "a room.path that is not a bot path",
      (b) => ({ ...b, room: { ...b.room, path: "/rooms/3" } }),
      /room\.path is not a bot messages path/,
    ],
    [
      "a room.path for another room",
      (b) => ({ ...b, room: { ...b.room, path: "/rooms/9/4-GZfqGLxdULBM/messages" } }),
      /names room 9 but room\.id is 3/,
    ],
  ];
  it.each(cases)("refuses %s, naming the field", (_, mutate, reason) => {
    const result = parsePayload(mutate(campfire()));
    expect(result.ok).toBe(false);
    expect((result as { reason: string }).reason).toMatch(reason);
  });

  it.each([null, [], "text", 42])("refuses a body that is not an object (%j)", (body) => {
    expect(parsePayload(body)).toEqual({ ok: false, reason: expect.stringMatching(/JSON object/) });
  });

  it("refuses a legacy body with a mistyped field", () => {
    const result = parsePayload({ creator: { id: 7, name: "Ada" }, room: { id: 3, name: "Lab" }, content: 5 });
    expect(result).toEqual({ ok: false, reason: "content must be a string" });
  });

  it("never repeats the key, nor more than a little of hostile input, in a reason", () => {
    const key = "4-GZfqGLxdULBM";
    const hostile = [
      { ...campfire(), room: { id: 3, name: "W", path: `/rooms/3/${key}/messages/extra` } },
      { ...campfire(), room: { id: 3, name: "W", path: `/${"x".repeat(900_000)}/${key}` } },
      { ...campfire(), room: { id: 3, name: "W", path: `/rooms/9/${key}/messages` } },
      { ...campfire(), user: { id: 7, name: 5 } },
    ];
    for (const body of hostile) {
      const result = parsePayload(body) as { ok: false; reason: string };
      expect(result.ok).toBe(false);
      expect(result.reason).not.toContain(key);
      expect(result.reason.length).toBeLessThan(300);
    }
  });

  it("reads the sub-path of a Campfire served under one", () => {
    const body = { ...campfire(), room: { id: 5, name: "W", path: "/chat/rooms/5/4-GZfqGLxdULBM/messages" } };
    expect(parsePayload(body)).toMatchObject({
      ok: true,
      key: "4-GZfqGLxdULBM",
      basePath: "/chat",
      message: { roomId: 5 },
    });
  });
});
