import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { TaskCall } from "../../src/memory/task-calls";
import { dayIn } from "../../src/memory/task-rules";
import { ADMIN_TOKEN, TEST_KEYS } from "../bots";
import { adminGet, campfirePayload, fakeAnthropic, fakeCampfire, newRoomId, postWebhook } from "./helpers";
import { HOUR, memoryOf, newUserId, sleep, storageOf } from "./memory-helpers";

type ToolResult = { type: string; content: string; is_error?: boolean };
type Person = { id: number; name: string };

const tasksOf = (userId: number) => memoryOf(userId, "tasker");
const call = (userId: number, input: TaskCall, ttlMs = HOUR) => tasksOf(userId).tasks(input, ttlMs);

/** Drops the object from memory, as the runtime does when it is idle: the next call gets a fresh instance. */
const evict = (userId: number) =>
  runInDurableObject(tasksOf(userId), (_, state) => state.abort("evicted by the test")).catch(() => {});

/** `person` asks the tasker bot in `roomId` to call the tasks tool once (through the fake model's directive). */
async function useTasks(person: Person, roomId: number, input: unknown, tool = "tasks") {
  const marker = `t${newRoomId()}`;
  const text = `${marker} [fake:tool=${tool},input=${encodeURIComponent(JSON.stringify(input))},id=${marker}]`;
  const before = (await fakeCampfire.messages(roomId)).length;
  const response = await postWebhook(
    { ...campfirePayload({ roomId, text, key: TEST_KEYS.tasker }), user: person },
    { botId: "tasker" },
  );
  expect(response.status).toBe(204);
  await expect.poll(() => fakeAnthropic.requestsMentioning(marker), { timeout: 10_000 }).toHaveLength(2);
  await fakeCampfire.waitForMessages(roomId, before + 1);
  const requests = await fakeAnthropic.requestsMentioning(marker);
  const result = (requests[1]!.body.messages.at(-1)!.content as unknown as ToolResult[])[0]!;
  return { requests, result };
}

describe("a person's task list, in their memory object", () => {
  it("adds, lists, completes, reopens, edits and removes tasks, and never gives a number twice", async () => {
    const userId = newUserId();
    expect(await call(userId, { op: "add", title: " send the Q3 numbers ", due: "2030-01-04" })).toMatchObject({
      task: { id: 1, title: "send the Q3 numbers", due: "2030-01-04", doneAt: null },
      open: 1,
    });
    expect(await call(userId, { op: "add", title: "call the printer", due: null })).toMatchObject({
      task: { id: 2 },
      open: 2,
    });
    await call(userId, { op: "add", title: "book the venue", due: "2029-06-01" });
    const listed = await call(userId, { op: "list" });
    // Open ones by due day, those without one last.
    expect("tasks" in listed && listed.tasks.map((task) => task.id)).toEqual([3, 1, 2]);

    expect(await call(userId, { op: "done", id: 1 })).toMatchObject({
      task: { id: 1, doneAt: expect.any(Number) },
      open: 2,
    });
    expect(await call(userId, { op: "done", id: 1 })).toEqual({ refused: "#1 is already done." });
    const afterDone = await call(userId, { op: "list" });
    expect("tasks" in afterDone && afterDone.tasks.map((task) => [task.id, task.doneAt !== null])).toEqual([
      [3, false],
      [2, false],
      [1, true],
    ]);
    expect(await call(userId, { op: "reopen", id: 1 })).toMatchObject({ task: { id: 1, doneAt: null }, open: 3 });
    expect(
      await call(userId, { op: "edit", id: 2, title: "call the printer about the flyers", due: "2029-01-10" }),
    ).toMatchObject({
      task: { id: 2, title: "call the printer about the flyers", due: "2029-01-10" },
    });
    expect(await call(userId, { op: "edit", id: 2, due: null })).toMatchObject({ task: { id: 2, due: null } });
    expect(await call(userId, { op: "remove", id: 3 })).toMatchObject({ task: { id: 3 }, open: 2 });
    expect(await call(userId, { op: "remove", id: 3 })).toEqual({
      refused: "There is no task #3 on this list; list the tasks to see their numbers.",
    });
    expect(await call(userId, { op: "add", title: "order cake", due: null })).toMatchObject({ task: { id: 4 } });
  });

  it("refuses a 101st open task, a title over 200 characters and one with invisible characters, storing none of them", async () => {
    const userId = newUserId();
    for (let n = 1; n <= 100; n++) await call(userId, { op: "add", title: `task ${n}`, due: null });
    expect(await call(userId, { op: "add", title: "one too many", due: null })).toEqual({
      refused: "The list already holds 100 open tasks, the most it keeps (100); mark some done or remove some first.",
    });
    expect(await call(userId, { op: "add", title: "x".repeat(201), due: null })).toMatchObject({
      refused: expect.stringMatching(/201 characters long; a task's title holds at most 200/),
    });
    expect(await call(userId, { op: "edit", id: 1, title: "pay \u202Eecnarusni" })).toMatchObject({
      refused: expect.stringMatching(/contains U\+202E/),
    });
    const all = await tasksOf(userId).allTasks();
    expect(all).toHaveLength(100);
    expect(all.some((task) => task.title !== `task ${task.id}`)).toBe(false);
    // One done makes room for one more.
    await call(userId, { op: "done", id: 1 });
    expect(await call(userId, { op: "add", title: "now there is room", due: null })).toMatchObject({ open: 100 });
  });

  it("refuses a call that does not fit, such as a due date that is not a day", async () => {
    const userId = newUserId();
    expect(await call(userId, { op: "add", title: "a", due: "Friday" })).toMatchObject({
      refused: expect.stringMatching(/must be a day written as 2026-12-04/),
    });
    expect(await tasksOf(userId).allTasks()).toEqual([]);
    expect(await storageOf(userId, "tasker")).toEqual({ alarm: null, tables: [] });
  });

  it("lives without memory files: its alarm is set memory_ttl after the last use, and a fresh instance still has it", async () => {
    const userId = newUserId();
    const before = Date.now();
    await call(userId, { op: "add", title: "send the Q3 numbers", due: null }, 2 * HOUR);
    const { alarm } = await storageOf(userId, "tasker");
    expect(alarm).toBeGreaterThanOrEqual(before + 2 * HOUR);
    await evict(userId);
    expect((await tasksOf(userId).allTasks()).map((task) => task.title)).toEqual(["send the Q3 numbers"]);
    await sleep(20);
    await call(userId, { op: "list" }, 2 * HOUR);
    expect((await storageOf(userId, "tasker")).alarm).toBeGreaterThan(alarm!);
  });

  it("is erased by its alarm at memory_ttl, in a fresh instance after the object was evicted: tasks, tables and alarm", async () => {
    const userId = newUserId();
    await call(userId, { op: "add", title: "send the Q3 numbers", due: null }, 1_000);
    await call(userId, { op: "done", id: 1 }, 1_000);
    await call(userId, { op: "add", title: "book the venue", due: "2030-01-01" }, 1_000);
    await tasksOf(userId).command({ command: "create", path: "/memories/a.md", file_text: "a" }, 1_000);
    expect((await storageOf(userId, "tasker")).tables.sort()).toEqual([
      "files",
      "lifetime",
      "sqlite_sequence",
      "tasks",
    ]);
    await evict(userId);
    await sleep(1_100);
    // The runtime may already have run the alarm on its own; if not, this runs it now, past the deadline.
    await runDurableObjectAlarm(tasksOf(userId));
    expect(await tasksOf(userId).allTasks()).toEqual([]);
    expect(await storageOf(userId, "tasker")).toEqual({ alarm: null, tables: [] });
    // A new list starts again from #1: nothing of the old one is left.
    expect(await call(userId, { op: "add", title: "fresh start", due: null })).toMatchObject({ task: { id: 1 } });
  });

  it("keeps no storage once its last task is removed and there are no memory files", async () => {
    const userId = newUserId();
    await call(userId, { op: "add", title: "a", due: null });
    await call(userId, { op: "remove", id: 1 });
    expect(await storageOf(userId, "tasker")).toEqual({ alarm: null, tables: [] });
  });
});

describe("the tasks tool, through Campfire", () => {
  it("keeps each person's own list: added in one room, listed in another; someone else can neither see nor complete it", async () => {
    const ada = { id: newUserId(), name: "Ada Lovelace" };
    const grace = { id: newUserId(), name: "Grace Hopper" };
    const added = await useTasks(ada, newRoomId(), { command: "add", title: "send the Q3 numbers", due: "Friday" });
    expect(added.result.is_error).toBeUndefined();
    expect(added.result.content).toMatch(
      /^Added #1 to Ada Lovelace's list: send the Q3 numbers, due Fri \d{4}-\d{2}-\d{2} \(Europe\/Berlin\)\. 1 open task\.$/,
    );

    const elsewhere = await useTasks(ada, newRoomId(), { command: "list" });
    expect(elsewhere.result.content).toMatch(
      /^Ada Lovelace's list, 1 open \(today is \w{3} [\d-]+, Europe\/Berlin\):\n#1 send the Q3 numbers · due Fri /,
    );

    const room = newRoomId();
    const peek = await useTasks(grace, room, { command: "list" });
    expect(peek.result.content).toBe("Grace Hopper's list is empty.");
    const complete = await useTasks(grace, room, { command: "done", id: 1 });
    expect(complete.result).toMatchObject({
      is_error: true,
      content: expect.stringMatching(/^There is no task #1 on this list/),
    });
    expect(JSON.stringify([peek.requests, complete.requests])).not.toContain("Q3 numbers");
    expect((await tasksOf(ada.id).allTasks()).map((task) => task.doneAt)).toEqual([null]);

    const done = await useTasks(ada, room, { command: "done", id: 1 });
    expect(done.result.content).toBe("Done: #1 send the Q3 numbers. 0 open tasks.");
  });

  it("gives the due day in the bot's time zone, which set_reminder takes for a reminder on that day", async () => {
    const ada = { id: newUserId(), name: "Ada Lovelace" };
    const roomId = newRoomId();
    const added = await useTasks(ada, roomId, { command: "add", title: "renew the domain", due: "tomorrow" });
    const tomorrow = /due \w{3} (\d{4}-\d{2}-\d{2}) \(Europe\/Berlin\)/.exec(added.result.content)![1]!;
    expect(tomorrow > dayIn(Date.now(), "Europe/Berlin")).toBe(true);
    // The bot is told how a due date becomes a reminder, once, in its cached system prompt.
    expect(JSON.stringify(added.requests[0]!.body.system)).toMatch(
      /tasks tool.*Due dates are days in Europe\/Berlin.*set_reminder/,
    );
    const reminder = await useTasks(ada, roomId, { at: `${tomorrow}T09:00`, text: "renew the domain" }, "set_reminder");
    expect(reminder.result.content).toMatch(
      /^Reminder #1 set for \w{3}, \w{3} \d+, \d{4}, 09:00 \(Europe\/Berlin\): renew the domain$/,
    );
  });

  it("is not offered to a bot without tasks, which is not told of a list", async () => {
    const marker = `nolist${newRoomId()}`;
    await postWebhook(campfirePayload({ roomId: newRoomId(), text: marker }));
    await expect.poll(() => fakeAnthropic.requestsMentioning(marker), { timeout: 10_000 }).toHaveLength(1);
    const [request] = await fakeAnthropic.requestsMentioning(marker);
    const tools = ((request!.body as { tools?: { name: string }[] }).tools ?? []).map((tool) => tool.name);
    expect(tools).not.toContain("tasks");
    expect(JSON.stringify(request!.body.system)).not.toContain("tasks tool");
  });

  it("records each change in the bot's audit log by task number, never its title", async () => {
    const ada = { id: newUserId(), name: "Ada Lovelace" };
    const roomId = newRoomId();
    await useTasks(ada, roomId, { command: "add", title: "swordfish plans" });
    await useTasks(ada, roomId, { command: "list" });
    await useTasks(ada, roomId, { command: "done", id: 1 });
    const log = await adminGet<{ entries: { kind: string; detail: unknown; room: number }[] }>(
      `/admin/audit?bot=tasker&person=${ada.id}`,
    );
    expect(log.entries.map(({ kind, detail, room }) => ({ kind, detail, room }))).toEqual([
      { kind: "task.changed", detail: { command: "done", task: 1 }, room: roomId },
      { kind: "task.changed", detail: { command: "add", task: 1 }, room: roomId },
    ]);
    expect(JSON.stringify(log)).not.toContain("swordfish");
  });
});

function adminMemory(path: string, method: "GET" | "DELETE"): Promise<Response> {
  return exports.default.fetch(`https://bot.example/admin/memory/${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
}

describe("GET and DELETE /admin/memory/:botId/:userId, for a person with a task list", () => {
  it("show an operator the tasks with their days and times, then erase them with the memory", async () => {
    const userId = newUserId();
    await call(userId, { op: "add", title: "send the Q3 numbers", due: "2030-01-04" });
    await call(userId, { op: "add", title: "call the printer", due: null });
    await call(userId, { op: "done", id: 2 });
    await tasksOf(userId).command({ command: "create", path: "/memories/ada.md", file_text: "tea: green" }, HOUR);

    const shown = (await (await adminMemory(`tasker/${userId}`, "GET")).json()) as {
      files: unknown[];
      tasks: { id: number; title: string; due: string | null; createdAt: string; doneAt: string | null }[];
    };
    expect(shown.files).toHaveLength(1);
    expect(shown.tasks).toEqual([
      { id: 1, title: "send the Q3 numbers", due: "2030-01-04", createdAt: expect.any(String), doneAt: null },
      { id: 2, title: "call the printer", due: null, createdAt: expect.any(String), doneAt: expect.any(String) },
    ]);
    expect(Date.parse(shown.tasks[1]!.doneAt!)).toBeGreaterThan(Date.now() - 60_000);
    // Looking does not count as use: the end of life stays where the last call put it.
    const { alarm } = await storageOf(userId, "tasker");
    await sleep(20);
    await adminMemory(`tasker/${userId}`, "GET");
    expect((await storageOf(userId, "tasker")).alarm).toBe(alarm);

    const erased = await adminMemory(`tasker/${userId}`, "DELETE");
    expect(await erased.json()).toMatchObject({ erased: 1, tasksErased: 2 });
    expect(await storageOf(userId, "tasker")).toEqual({ alarm: null, tables: [] });
    expect(((await (await adminMemory(`tasker/${userId}`, "GET")).json()) as { tasks: unknown[] }).tasks).toEqual([]);
  });
});
