import { runDurableObjectAlarm } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN } from "../bots";
import { HOUR, memoryOf, newUserId, sleep, storageOf } from "./memory-helpers";

describe("a person's memory object", () => {
  it("keeps files across calls: create, edit, view", async () => {
    const memory = memoryOf(newUserId());
    expect(
      await memory.command(
        { command: "create", path: "/memories/ada.md", file_text: "tea: green\nunits: metric" },
        HOUR,
      ),
    ).toEqual({
      content: "File created successfully at: /memories/ada.md",
      isError: false,
    });
    expect(
      (
        await memory.command(
          { command: "str_replace", path: "/memories/ada.md", old_str: "green", new_str: "black" },
          HOUR,
        )
      ).isError,
    ).toBe(false);
    expect((await memory.command({ command: "view", path: "/memories/ada.md" }, HOUR)).content).toContain(
      "     1\ttea: black\n     2\tunits: metric",
    );
    const [file] = await memory.files();
    expect(file).toMatchObject({ path: "/memories/ada.md", content: "tea: black\nunits: metric" });
  });

  it("answers a malformed call or a path outside /memories with an error Claude can act on", async () => {
    const memory = memoryOf(newUserId());
    const malformed = await memory.command({ command: "create", path: "/memories/a.md" }, HOUR);
    expect(malformed).toMatchObject({ isError: true });
    expect(malformed.content).toMatch(/file_text/);
    const outside = await memory.command(
      { command: "create", path: "/memories/../../etc/passwd", file_text: "x" },
      HOUR,
    );
    expect(outside).toMatchObject({ isError: true });
    expect(await memory.files()).toEqual([]);
  });

  it("is one per bot and person: what Ada's memory holds, Bob's and another bot's do not", async () => {
    const ada = newUserId();
    const bob = newUserId();
    await memoryOf(ada).command(
      { command: "create", path: "/memories/secret-plan.md", file_text: "surprise party" },
      HOUR,
    );
    expect(await memoryOf(bob).files()).toEqual([]);
    expect(await memoryOf(ada, "butler").files()).toEqual([]);
    expect((await memoryOf(bob).command({ command: "view", path: "/memories/secret-plan.md" }, HOUR)).content).toMatch(
      /^No such file or directory/,
    );
    expect(await memoryOf(ada).files()).toHaveLength(1);
  });

  it("sets its one alarm to the last use + ttl, and each use, a view too, moves it later", async () => {
    const userId = newUserId();
    const memory = memoryOf(userId);
    const before = Date.now();
    await memory.command({ command: "create", path: "/memories/a.md", file_text: "a" }, HOUR);
    const first = (await storageOf(userId)).alarm!;
    expect(first).toBeGreaterThanOrEqual(before + HOUR);
    expect(first).toBeLessThanOrEqual(Date.now() + HOUR);
    await sleep(20);
    await memory.command({ command: "view", path: "/memories" }, HOUR);
    expect((await storageOf(userId)).alarm!).toBeGreaterThan(first);
  });

  it("survives an early alarm, which re-arms for the deadline", async () => {
    const userId = newUserId();
    const memory = memoryOf(userId);
    await memory.command({ command: "create", path: "/memories/a.md", file_text: "a" }, HOUR);
    const deadline = (await storageOf(userId)).alarm;
    expect(await runDurableObjectAlarm(memory)).toBe(true);
    expect(await memory.files()).toHaveLength(1);
    expect((await storageOf(userId)).alarm).toBe(deadline);
  });

  it("is erased by its alarm at the ttl: files, tables and alarm, nothing left", async () => {
    const userId = newUserId();
    const memory = memoryOf(userId);
    await memory.command({ command: "create", path: "/memories/a.md", file_text: "a" }, 1_000);
    await memory.command({ command: "create", path: "/memories/b/c.md", file_text: "c" }, 1_000);
    expect((await storageOf(userId)).tables.sort()).toEqual(["files", "lifetime"]);
    await sleep(1_100);
    // The runtime may already have run the alarm on its own; if not, this runs it now, past the deadline.
    await runDurableObjectAlarm(memory);
    expect(await memory.files()).toEqual([]);
    expect(await storageOf(userId)).toEqual({ alarm: null, tables: [] });
  });

  it("keeps no storage and no alarm when it holds no file: never written, or everything forgotten", async () => {
    const looked = newUserId();
    expect((await memoryOf(looked).command({ command: "view", path: "/memories" }, HOUR)).content).toMatch(/empty/);
    expect(await storageOf(looked)).toEqual({ alarm: null, tables: [] });

    const forgot = newUserId();
    await memoryOf(forgot).command({ command: "create", path: "/memories/a.md", file_text: "a" }, HOUR);
    expect((await memoryOf(forgot).command({ command: "delete", path: "/memories" }, HOUR)).content).toMatch(
      /Deleted everything/,
    );
    expect(await storageOf(forgot)).toEqual({ alarm: null, tables: [] });
  });

  it("erase() forgets everything at once and says how many files and tasks there were", async () => {
    const userId = newUserId();
    const memory = memoryOf(userId);
    await memory.command({ command: "create", path: "/memories/a.md", file_text: "a" }, HOUR);
    await memory.command({ command: "create", path: "/memories/b.md", file_text: "b" }, HOUR);
    expect(await memory.erase()).toEqual({ files: 2, tasks: 0 });
    expect(await storageOf(userId)).toEqual({ alarm: null, tables: [] });
    expect(await memory.erase()).toEqual({ files: 0, tasks: 0 });
  });
});

function adminMemory(path: string, method: "GET" | "DELETE", token = ADMIN_TOKEN): Promise<Response> {
  return exports.default.fetch(`https://bot.example/admin/memory/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
  });
}

describe("GET and DELETE /admin/memory/:botId/:userId", () => {
  it("show an operator every file with its size and time, then erase them all", async () => {
    const userId = newUserId();
    await memoryOf(userId).command({ command: "create", path: "/memories/ada.md", file_text: "tea: green" }, HOUR);
    await memoryOf(userId).command(
      { command: "create", path: "/memories/work/apollo.md", file_text: "lead on Apollo" },
      HOUR,
    );

    const shown = await adminMemory(`assistant/${userId}`, "GET");
    expect(shown.status).toBe(200);
    const body = (await shown.json()) as {
      user: number;
      totalBytes: number;
      files: { path: string; bytes: number; updatedAt: string; content: string }[];
    };
    expect(body).toMatchObject({ user: userId, totalBytes: 24 });
    expect(body.files.map(({ path, bytes, content }) => ({ path, bytes, content }))).toEqual([
      { path: "/memories/ada.md", bytes: 10, content: "tea: green" },
      { path: "/memories/work/apollo.md", bytes: 14, content: "lead on Apollo" },
    ]);
    expect(Date.parse(body.files[0]!.updatedAt)).toBeGreaterThan(Date.now() - 60_000);

    const deleted = await adminMemory(`assistant/${userId}`, "DELETE");
    expect(await deleted.json()).toMatchObject({ erased: 2, auditEntriesErased: 0 });
    expect(await storageOf(userId)).toEqual({ alarm: null, tables: [] });
    expect(((await (await adminMemory(`assistant/${userId}`, "GET")).json()) as { files: unknown[] }).files).toEqual(
      [],
    );
  });

  it("leave no storage behind when they look at a person the bot never remembered", async () => {
    const userId = newUserId();
    expect(((await (await adminMemory(`assistant/${userId}`, "GET")).json()) as { files: unknown[] }).files).toEqual(
      [],
    );
    expect(await storageOf(userId)).toEqual({ alarm: null, tables: [] });
  });

  it("say which part of the address is wrong: 404 for an unknown bot, 400 for a user id that is not a number", async () => {
    const unknownBot = await adminMemory("nobody/7", "GET");
    expect(unknownBot.status).toBe(404);
    expect(await unknownBot.json()).toEqual({ error: 'no bot "nobody" is configured' });
    const badUser = await adminMemory("assistant/ada", "DELETE");
    expect(badUser.status).toBe(400);
    expect(((await badUser.json()) as { error: string }).error).toMatch(/user id "ada" must be a number/);
  });

  it("are closed without the admin token", async () => {
    const userId = newUserId();
    await memoryOf(userId).command({ command: "create", path: "/memories/a.md", file_text: "a" }, HOUR);
    expect((await adminMemory(`assistant/${userId}`, "GET", "wrong-token")).status).toBe(401);
    expect((await adminMemory(`assistant/${userId}`, "DELETE", "wrong-token")).status).toBe(401);
    expect(await memoryOf(userId).files()).toHaveLength(1);
  });
});
