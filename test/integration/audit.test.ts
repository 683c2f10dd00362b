import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AUDIT_MAX_AGE_MS, AUDIT_MAX_ENTRIES, AUDIT_OVERFLOW_TRIM_MS, recordAudit } from "../../src/control/audit";
import { controlOf } from "../../src/control/status";
import { ADMIN_TOKEN, campfirePayload, fakeCampfire, newRoomId, pendingWork, postWebhook, TEST_KEYS } from "./helpers";
import { HOUR, memoryOf, newUserId } from "./memory-helpers";

interface Entry {
  bot: string;
  at: string;
  kind: string;
  by: "admin" | { userId: number; name: string };
  room: number | null;
  about: number | null;
  detail: Record<string, unknown>;
}

function admin(method: string, path: string, body?: string): Promise<Response> {
  return exports.default.fetch(`https://bot.example/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    body,
  });
}

async function audit(
  query: string,
): Promise<{ entries: Entry[]; more: boolean; kept: { entries: number; days: number } }> {
  const response = await admin("GET", `/audit?${query}`);
  expect(response.status).toBe(200);
  return response.json();
}

const calling = (tool: string, input: unknown, id: string) =>
  `[fake:tool=${tool},input=${encodeURIComponent(JSON.stringify(input))},id=${id}]`;

/** `person` asks `bot` in `roomId` with a message making the fake model call `tool` once; resolves once answered. */
async function ask(
  bot: "librarian" | "butler",
  roomId: number,
  person: { id: number; name: string },
  tool: string,
  input: unknown,
) {
  const marker = `${tool}${newUserId()}`;
  const response = await postWebhook(
    {
      ...campfirePayload({ roomId, text: `${marker} ${calling(tool, input, marker)}`, key: TEST_KEYS[bot] }),
      user: person,
    },
    { botId: bot },
  );
  expect(response.status).toBe(204);
  await expect.poll(() => pendingWork(roomId, bot), { timeout: 10_000, interval: 50 }).toBe(0);
}

afterEach(() => vi.useRealTimers());

describe("the audit log", () => {
  it("records each operator action, by admin, with what was done and never what a document says", async () => {
    const roomId = newRoomId();
    await postWebhook(campfirePayload({ roomId, text: `ended${roomId}` }));
    await fakeCampfire.waitForMessages(roomId, 1);
    await admin("POST", "/bots/assistant/pause");
    await admin("POST", "/bots/assistant/resume");
    await admin("PUT", "/bots/assistant/budget", JSON.stringify({ daily_usd: 12 }));
    await admin("DELETE", "/bots/assistant/budget");
    await admin("DELETE", `/sessions/assistant/${roomId}`);
    const doc = `plan-${roomId}`;
    expect((await admin("PUT", `/knowledge/notes-test/${doc}`, "# Plan\n\nThe launch code is swordfish.")).status).toBe(
      201,
    );
    expect((await admin("DELETE", `/knowledge/notes-test/${doc}`)).status).toBe(200);
    const user = newUserId();
    await memoryOf(user, "librarian").command(
      { command: "create", path: "/memories/notes.md", file_text: "likes sailing" },
      HOUR,
    );
    await admin("DELETE", `/memory/librarian/${user}`);

    const assistant = (await audit("bot=assistant")).entries;
    expect(assistant.map((entry) => [entry.kind, entry.by, entry.room])).toEqual([
      ["conversation.ended", "admin", roomId],
      ["budget.cleared", "admin", null],
      ["budget.set", "admin", null],
      ["bot.resumed", "admin", null],
      ["bot.paused", "admin", null],
    ]);
    expect(assistant[2]!.detail).toEqual({ daily_usd: 12 });
    // A library change is in the log of each bot that reads the library: the librarian writes notes-test.
    const library = (await audit(`bot=librarian&kind=knowledge.stored`)).entries.filter(
      (entry) => entry.detail.doc === doc,
    );
    expect(library).toEqual([
      {
        bot: "librarian",
        at: expect.any(String),
        kind: "knowledge.stored",
        by: "admin",
        room: null,
        about: null,
        detail: { library: "notes-test", doc, created: true },
      },
    ]);
    expect(
      (await audit(`kind=knowledge.deleted`)).entries
        .filter((entry) => entry.detail.doc === doc)
        .map((entry) => entry.bot),
    ).toEqual(["librarian"]);
    expect((await audit(`bot=librarian&person=${user}`)).entries).toEqual([
      {
        bot: "librarian",
        at: expect.any(String),
        kind: "memory.erased",
        by: "admin",
        room: null,
        about: user,
        detail: { files: 1, tasks: 0, audit_entries: 0 },
      },
    ]);
    const everything = JSON.stringify(await audit("limit=1000"));
    expect(everything).not.toContain("swordfish");
    expect(everything).not.toContain("sailing");
  });

  it("records the side effects of tool runs as done by the person who asked, in their room, and never what was written", async () => {
    const roomId = newRoomId();
    const ada = { id: newUserId(), name: "Ada Lovelace" };
    const doc = `wifi-${roomId}`;
    await ask("librarian", roomId, ada, "store_document", {
      id: doc,
      title: "Wi-Fi",
      body: "The guest password is hunter2.",
    });
    await ask("librarian", roomId, ada, "memory", {
      command: "create",
      path: "/memories/ada.md",
      file_text: "prefers oolong",
    });
    await ask("librarian", roomId, ada, "memory", { command: "view", path: "/memories/ada.md" });
    await ask("librarian", roomId, ada, "memory", { command: "delete", path: "/memories/ada.md" });
    // A run that changed nothing records nothing.
    await ask("librarian", roomId, ada, "memory", { command: "delete", path: "/memories/nothing-here.md" });
    const butlerRoom = newRoomId();
    await ask("butler", butlerRoom, ada, "set_reminder", { at: "in 2 hours", text: "call the dentist" });
    await ask("butler", butlerRoom, ada, "cancel_reminder", { id: 999 });
    await ask("butler", butlerRoom, ada, "cancel_reminder", { id: 1 });

    const by = { userId: ada.id, name: ada.name };
    const librarian = (await audit(`bot=librarian&room=${roomId}`)).entries;
    expect(librarian.map(({ kind, by, room, detail }) => ({ kind, by, room, detail }))).toEqual([
      { kind: "memory.erased", by, room: roomId, detail: { command: "delete" } },
      { kind: "memory.written", by, room: roomId, detail: { command: "create" } },
      { kind: "knowledge.stored", by, room: roomId, detail: { library: "notes-test", doc, created: true } },
    ]);
    const butler = (await audit(`bot=butler&person=${ada.id}`)).entries;
    expect(butler.map(({ kind, room, detail }) => ({ kind, room, detail }))).toEqual([
      { kind: "reminder.cancelled", room: butlerRoom, detail: { reminder: 1 } },
      {
        kind: "reminder.set",
        room: butlerRoom,
        detail: { reminder: 1, due: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      },
    ]);
    expect((await audit(`person=${ada.id}&kind=reminder.set`)).entries.map((entry) => entry.bot)).toEqual(["butler"]);
    const everything = JSON.stringify(await audit(`person=${ada.id}`));
    for (const words of ["hunter2", "Wi-Fi", "oolong", "/memories", "dentist", "fake:tool"])
      expect(everything).not.toContain(words);
  });

  it("erases a person's entries with their memory, says so, and keeps the erasure and everyone else's entries", async () => {
    const roomId = newRoomId();
    const ada = { id: newUserId(), name: "Ada Lovelace" };
    const grace = { id: newUserId(), name: "Grace Hopper" };
    await ask("librarian", roomId, ada, "memory", { command: "create", path: "/memories/ada.md", file_text: "tea" });
    await ask("librarian", roomId, ada, "store_document", { id: `ada-${roomId}`, title: "Ada's", body: "notes" });
    await ask("librarian", roomId, grace, "memory", {
      command: "create",
      path: "/memories/grace.md",
      file_text: "coffee",
    });

    const response = await admin("DELETE", `/memory/librarian/${ada.id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      erased: 1,
      tasksErased: 0,
      auditEntriesErased: 2,
      note: "2 audit log entries by or about this person were erased with the memory; the erasure itself is recorded there, by user id only.",
    });
    expect((await audit(`person=${ada.id}`)).entries).toEqual([
      {
        bot: "librarian",
        at: expect.any(String),
        kind: "memory.erased",
        by: "admin",
        room: null,
        about: ada.id,
        detail: { files: 1, tasks: 0, audit_entries: 2 },
      },
    ]);
    expect(JSON.stringify(await audit(`bot=librarian&room=${roomId}`))).not.toContain("Ada Lovelace");
    expect((await audit(`person=${grace.id}`)).entries.map((entry) => entry.kind)).toEqual(["memory.written"]);
  });

  it("refuses a filter it does not know, an unknown bot and a bad number, each with a sentence", async () => {
    expect(await (await admin("GET", "/audit?user=7")).json()).toEqual({
      error: 'there is no filter "user"; the filters are bot, room, person, kind, limit',
    });
    const unknown = await admin("GET", "/audit?bot=nobody");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/^no bot "nobody" is configured/);
    expect((await admin("GET", "/audit?room=lobby")).status).toBe(400);
  });

  it("answers newest first, at most `limit`, and says when there are more", async () => {
    const bot = "hasty";
    for (let i = 0; i < 3; i++)
      await recordAudit(env, bot, { kind: "conversation.ended", actor: "admin", roomId: 900 + i });
    const page = await audit(`bot=${bot}&limit=2`);
    expect(page.entries.map((entry) => entry.room)).toEqual([902, 901]);
    expect(page.more).toBe(true);
    expect(page.kept).toEqual({ entries: AUDIT_MAX_ENTRIES, days: AUDIT_MAX_AGE_MS / 86_400_000 });
    expect((await audit(`bot=${bot}&limit=3`)).more).toBe(false);
  });
});

describe("the audit log's bounds", () => {
  const control = () => controlOf(env, "frugal");
  const count = () =>
    runInDurableObject(
      control(),
      (_, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM audit").one().n,
    );
  const alarm = () => runInDurableObject(control(), (_, state) => state.storage.getAlarm());
  const tables = () =>
    runInDurableObject(control(), (_, state) =>
      state.storage.sql
        .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'")
        .toArray(),
    );

  it("keeps nothing past 90 days: the alarm set while it holds entries trims them, and then no alarm and no storage are left", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const start = Date.now();
    await recordAudit(env, "frugal", { kind: "bot.paused", actor: "admin" });
    expect(await alarm()).toBe(start + AUDIT_MAX_AGE_MS);
    vi.setSystemTime(start + AUDIT_MAX_AGE_MS - 1);
    await recordAudit(env, "frugal", { kind: "bot.resumed", actor: "admin" });
    // A later entry does not move the alarm: the oldest decides when the next trim is due.
    expect(await alarm()).toBe(start + AUDIT_MAX_AGE_MS);

    vi.setSystemTime(start + AUDIT_MAX_AGE_MS + 1);
    expect(await runDurableObjectAlarm(control())).toBe(true);
    expect(await count()).toBe(1);
    expect(await alarm()).toBe(start + 2 * AUDIT_MAX_AGE_MS - 1);

    vi.setSystemTime(start + 2 * AUDIT_MAX_AGE_MS);
    expect(await runDurableObjectAlarm(control())).toBe(true);
    expect(await alarm()).toBeNull();
    expect(await tables()).toEqual([]);
  });

  it("keeps the newest 10 000 entries: one past the bound sets the alarm within a minute, which trims the oldest", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const start = Date.now();
    await recordAudit(env, "frugal", { kind: "bot.paused", actor: "admin" });
    await runInDurableObject(control(), (_, state) => {
      state.storage.sql.exec(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO audit (at, kind, actor_name, room_id) SELECT ?, 'conversation.ended', 'admin', i FROM n`,
        AUDIT_MAX_ENTRIES - 1,
        start,
      );
    });
    expect(await alarm()).toBe(start + AUDIT_MAX_AGE_MS);
    await recordAudit(env, "frugal", { kind: "bot.resumed", actor: "admin" });
    expect(await count()).toBe(AUDIT_MAX_ENTRIES + 1);
    expect(await alarm()).toBe(start + AUDIT_OVERFLOW_TRIM_MS);

    vi.setSystemTime(start + AUDIT_OVERFLOW_TRIM_MS);
    await runDurableObjectAlarm(control());
    expect(await count()).toBe(AUDIT_MAX_ENTRIES);
    const [newest, oldest] = [
      (await audit("bot=frugal&limit=1")).entries[0]!,
      await runInDurableObject(
        control(),
        (_, state) => state.storage.sql.exec<{ kind: string }>("SELECT kind FROM audit ORDER BY id LIMIT 1").one().kind,
      ),
    ];
    expect(newest.kind).toBe("bot.resumed");
    // The first entry (bot.paused) was the oldest, and is the one trimmed.
    expect(oldest).toBe("conversation.ended");
    expect(await alarm()).toBe(start + AUDIT_MAX_AGE_MS);
  });
});
