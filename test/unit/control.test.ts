import { describe, expect, it } from "vitest";
import { budgetLimits, budgetSchema } from "../../src/config/budget";
import {
  AUDIT_MAX_AGE_MS,
  AUDIT_MAX_ENTRIES,
  AUDIT_OVERFLOW_TRIM_MS,
  type AuditExtent,
  nextTrimAt,
  trimCut,
} from "../../src/control/audit";
import { AUDIT_PAGE, parseAuditQuery } from "../../src/control/audit-query";
import { CONTROL_CACHE_MS, type ControlStatus, controlStatus, knownStatus } from "../../src/control/status";
import { memoryEffect } from "../../src/conversation/effects";

const NOW = 5_000_000_000;
const DAY = 86_400_000;

describe("when the audit log's alarm trims it", () => {
  it.each<[string, AuditExtent | null, number | null]>([
    ["an empty log: no alarm at all", null, null],
    [
      "one entry: when it turns 90 days old",
      { oldestId: 1, oldestAt: NOW - DAY, newestId: 1 },
      NOW - DAY + AUDIT_MAX_AGE_MS,
    ],
    [
      "exactly at the entry bound: when the oldest ages out",
      { oldestId: 1, oldestAt: NOW - DAY, newestId: AUDIT_MAX_ENTRIES },
      NOW - DAY + AUDIT_MAX_AGE_MS,
    ],
    [
      "one entry past the bound: within a minute",
      { oldestId: 1, oldestAt: NOW - DAY, newestId: AUDIT_MAX_ENTRIES + 1 },
      NOW + AUDIT_OVERFLOW_TRIM_MS,
    ],
    [
      "past the bound, and the oldest already too old: now-ish, whichever is first",
      { oldestId: 1, oldestAt: NOW - AUDIT_MAX_AGE_MS - 5, newestId: 2 * AUDIT_MAX_ENTRIES },
      NOW - 5,
    ],
    [
      "ids with gaps (a person's entries erased) count as entries: trimmed early rather than late",
      { oldestId: 500, oldestAt: NOW, newestId: 500 + AUDIT_MAX_ENTRIES },
      NOW + AUDIT_OVERFLOW_TRIM_MS,
    ],
  ])("%s", (_, extent, expected) => {
    expect(nextTrimAt(extent, NOW)).toBe(expected);
  });

  it.each<[string, AuditExtent, { before: number; throughId: number }]>([
    [
      "within bounds: only what aged out goes",
      { oldestId: 1, oldestAt: NOW - DAY, newestId: 40 },
      { before: NOW - AUDIT_MAX_AGE_MS, throughId: 40 - AUDIT_MAX_ENTRIES },
    ],
    [
      "past the entry bound: the oldest ids go, down to the newest 10 000",
      { oldestId: 1, oldestAt: NOW, newestId: AUDIT_MAX_ENTRIES + 25 },
      { before: NOW - AUDIT_MAX_AGE_MS, throughId: 25 },
    ],
  ])("a trim %s", (_, extent, expected) => {
    expect(trimCut(extent, NOW)).toEqual(expected);
  });
});

describe("GET /admin/audit's filters", () => {
  it.each<[string, Record<string, string>, ReturnType<typeof parseAuditQuery>]>([
    [
      "none: every bot, the default page",
      {},
      { bot: undefined, filter: { roomId: undefined, userId: undefined, kind: undefined, limit: AUDIT_PAGE.default } },
    ],
    [
      "all of them",
      { bot: "assistant", room: "42", person: "7", kind: "reminder.set", limit: "5" },
      { bot: "assistant", filter: { roomId: 42, userId: 7, kind: "reminder.set", limit: 5 } },
    ],
    ["a room that is not a number", { room: "lobby" }, { error: "room: must be a number: the room's Campfire id" }],
    [
      "a kind there is not",
      { kind: "message.sent" },
      { error: expect.stringMatching(/^kind: must be one of bot\.paused, .*reminder\.cancelled, task\.changed$/) },
    ],
    ["a limit over the page", { limit: "5000" }, { error: `limit: must be at most ${AUDIT_PAGE.max}` }],
    ["a limit of 0", { limit: "0" }, { error: "limit: must be at least 1" }],
    [
      "a filter there is not",
      { user: "7" },
      { error: 'there is no filter "user"; the filters are bot, room, person, kind, limit' },
    ],
  ])("%s", (_, query, expected) => {
    expect(parseAuditQuery(query)).toEqual(expected);
  });
});

describe("what a memory command is recorded as", () => {
  it.each<[string, unknown, ReturnType<typeof memoryEffect>]>([
    ["view: nothing changed", { command: "view", path: "/memories" }, null],
    [
      "create: written, without the path or the text",
      { command: "create", path: "/memories/ada.md", file_text: "likes tea" },
      { kind: "memory.written", detail: { command: "create" } },
    ],
    [
      "str_replace: written",
      { command: "str_replace", path: "/memories/a.md", old_str: "a", new_str: "b" },
      { kind: "memory.written", detail: { command: "str_replace" } },
    ],
    [
      "insert: written",
      { command: "insert", path: "/memories/a.md", insert_line: 1, insert_text: "b" },
      { kind: "memory.written", detail: { command: "insert" } },
    ],
    [
      "rename: written",
      { command: "rename", old_path: "/memories/a.md", new_path: "/memories/b.md" },
      { kind: "memory.written", detail: { command: "rename" } },
    ],
    [
      "delete: erased by its owner",
      { command: "delete", path: "/memories" },
      { kind: "memory.erased", detail: { command: "delete" } },
    ],
    ["a command there is not", { command: "toString" }, null],
    ["no object at all", "delete", null],
  ])("%s", (_, input, expected) => {
    expect(memoryEffect(input)).toEqual(expected);
  });
});

describe("a budget as operators write it", () => {
  it.each<[string, unknown, object | null]>([
    [
      "all four limits",
      { daily_usd: 20, monthly_usd: 400, per_person_daily_usd: 2, per_room_daily_usd: 5.5 },
      { dailyUsd: 20, monthlyUsd: 400, perPersonDailyUsd: 2, perRoomDailyUsd: 5.5 },
    ],
    ["any subset", { per_person_daily_usd: 1 }, { perPersonDailyUsd: 1 }],
    ["none: no budget", {}, null],
    ["zero is not a budget", { daily_usd: 0 }, null],
    ["negative", { monthly_usd: -3 }, null],
    ["a string", { daily_usd: "20" }, null],
    ["camelCase is not the written form", { dailyUsd: 20 }, null],
    ["not an object", [20], null],
  ])("%s", (_, input, expected) => {
    const parsed = budgetSchema.safeParse(input);
    expect(parsed.success ? budgetLimits(parsed.data) : null).toEqual(expected);
  });
});

describe("what the switch costs the hot path", () => {
  /** A stand-in for the CONTROL namespace that counts the requests reaching the control object. */
  function countingEnv(statuses: ControlStatus[]) {
    const asked: string[] = [];
    const env = {
      CONTROL: {
        getByName: (name: string) => ({
          status: async () => {
            asked.push(name);
            const status = statuses[Math.min(asked.length - 1, statuses.length - 1)];
            if (!status) throw new Error("the control object is unreachable");
            return status;
          },
        }),
      },
    } as unknown as Pick<Env, "CONTROL">;
    return { env, asked };
  }
  const running: ControlStatus = { paused: false, changedAt: null, budget: null };
  const paused: ControlStatus = { paused: true, changedAt: NOW, budget: null };

  it("asks the control object at most once per isolate per CONTROL_CACHE_MS, however many messages", async () => {
    const { env, asked } = countingEnv([running, paused]);
    const bot = `cost${Math.random()}`;
    const reads = await Promise.all([0, 1, 2, 3].map((i) => controlStatus(env, bot, NOW + i)));
    expect(reads.map((status) => status.paused)).toEqual([false, false, false, false]);
    expect(await controlStatus(env, bot, NOW + CONTROL_CACHE_MS - 1)).toMatchObject({ paused: false });
    expect(asked).toEqual([`control:${bot}`]);
    // The bound on how stale it can be: a pause made meanwhile is seen once CONTROL_CACHE_MS has passed.
    expect(await controlStatus(env, bot, NOW + CONTROL_CACHE_MS)).toMatchObject({ paused: true });
    expect(asked).toHaveLength(2);
  });

  it("keeps answering with what it last knew while the control object cannot be reached, and says it is running when it knew nothing", async () => {
    const { env } = countingEnv([paused]);
    const bot = `down${Math.random()}`;
    expect((await knownStatus(env, bot, NOW)).status.paused).toBe(true);
    const { env: down } = countingEnv([]);
    expect((await knownStatus(down, bot, NOW + CONTROL_CACHE_MS)).status.paused).toBe(true);
    expect((await knownStatus(down, `never${Math.random()}`, NOW)).status.paused).toBe(false);
  });
});
