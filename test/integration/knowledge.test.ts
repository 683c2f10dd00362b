import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LIMITS, PASSAGE_BYTES, STORED_MULTIPLE } from "../../src/knowledge/limits";
import { knowledgeAccess } from "../../src/knowledge/access";
import { storeDocument } from "../../src/knowledge/tools";
import type { ToolContext } from "../../src/tools/tool";
import { ADMIN_TOKEN } from "../bots";
import { HANDBOOK, newLibrary } from "./knowledge-helpers";

function adminFetch(
  method: string,
  path: string,
  body?: BodyInit,
  headers: Record<string, string> = {},
): Promise<Response> {
  return exports.default.fetch(`https://bot.example/admin/knowledge/${path}`, {
    method,
    body,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
  });
}

async function listIds(name: string): Promise<string[]> {
  return (await env.KNOWLEDGE.getByName(name).list()).map((doc) => doc.id);
}

describe("a library", () => {
  it("ranks the passage that answers the question first, with its document and section", async () => {
    const library = await newLibrary(HANDBOOK);
    const [best, ...rest] = await library.search("How many weeks of parental leave do I get?", 5);
    expect(best).toMatchObject({ docId: "leave", title: "Leave", heading: "Leave › Parental leave" });
    expect(best!.snippet).toContain("**weeks**");
    expect(rest.every((passage) => passage.score >= best!.score)).toBe(true);
    const [expense] = await library.search("train ticket receipts", 5);
    expect(expense).toMatchObject({ docId: "expenses", heading: "Expenses › Travel" });
  });

  it("replaces a document whole: its old passages vanish from search, other documents stay", async () => {
    const library = await newLibrary(HANDBOOK);
    const replaced = await library.put({
      id: "leave",
      title: "Leave",
      source: null,
      body: "# Leave\n\nAsk the giraffe in accounting.",
    });
    expect(replaced).toMatchObject({ ok: true, created: false });
    expect(await library.search("parental", 5)).toEqual([]);
    expect((await library.search("giraffe", 5)).map((p) => p.docId)).toEqual(["leave"]);
    expect(new Set((await library.search("receipts", 5)).map((p) => p.docId))).toEqual(new Set(["expenses"]));
    expect((await library.list()).map((d) => d.id)).toEqual(["expenses", "leave", "oncall"]);
  });

  it("forgets a removed document and its passages", async () => {
    const library = await newLibrary(HANDBOOK);
    expect(await library.remove("leave")).toBe(true);
    expect(await library.remove("leave")).toBe(false);
    expect(await library.search("parental leave", 5)).toEqual([]);
    expect(await library.read("leave", 1)).toBeNull();
  });

  it("reads a long document in pages that together are the whole text", async () => {
    const body = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} ${"word ".repeat(60)}`).join("\n\n");
    const library = await newLibrary([{ id: "long", title: "Long", source: null, body }]);
    const first = (await library.read("long", 1))!;
    expect(first.pages).toBeGreaterThan(1);
    const pages = [first.text];
    for (let page = 2; page <= first.pages; page++) pages.push((await library.read("long", page))!.text);
    expect(pages.join("")).toBe(body);
  });
});

describe("the limits", () => {
  it("refuse a document that is too large, with 413 and the limit, leaving the library as it was", async () => {
    const name = crypto.randomUUID();
    await newLibrary(HANDBOOK, name);
    const response = await adminFetch("PUT", `${name}/huge`, "x ".repeat(LIMITS.documentBytes / 2 + 1));
    expect(response.status).toBe(413);
    expect((await response.json<{ error: string }>()).error).toMatch(/at most 512 KB.*split it/);
    expect(await listIds(name)).toEqual(["expenses", "leave", "oncall"]);
  });

  it("refuse a new document past the document count with 409, but still replace an existing one", async () => {
    const name = crypto.randomUUID();
    await runInDurableObject(env.KNOWLEDGE.getByName(name), (library) => {
      for (let i = 0; i < LIMITS.documents; i++)
        library.put({ id: `doc-${i}`, title: `Doc ${i}`, source: null, body: `note ${i}` });
    });
    const refused = await adminFetch("PUT", `${name}/one-more`, "# One more\n\ntext");
    expect(refused.status).toBe(409);
    expect((await refused.json<{ error: string }>()).error).toMatch(/500 documents.*delete documents/);
    expect(await listIds(name)).not.toContain("one-more");
    expect((await adminFetch("PUT", `${name}/doc-7`, "new text")).status).toBe(200);
  });

  it("refuse a document that would pass the library's size with 409, leaving it unchanged", async () => {
    const name = crypto.randomUUID();
    const library = await newLibrary(HANDBOOK, name);
    await runInDurableObject(library, (_, state) => {
      // Rows that count as 49.9 MB of documents, without writing 50 MB in a test.
      for (let i = 0; i < 100; i++) {
        state.storage.sql.exec(
          "INSERT INTO documents (id, title, body, updated_at, size, counted) VALUES (?, 'Big', '', 0, ?, ?)",
          `big-${i}`,
          (LIMITS.libraryBytes - 100_000) / 100,
          (LIMITS.libraryBytes - 100_000) / 100,
        );
      }
    });
    const response = await adminFetch("PUT", `${name}/more`, "word ".repeat(40_000));
    expect(response.status).toBe(409);
    expect((await response.json<{ error: string }>()).error).toMatch(/limit of 50\.0 MB/);
    expect(await listIds(name)).not.toContain("more");
    expect(await library.search("word", 5)).toEqual([]);
  });

  it("count each passage's heading trail, title and id, refusing a document of many tiny sections its text alone would fit in", async () => {
    const name = crypto.randomUUID();
    const library = await newLibrary(HANDBOOK, name);
    await runInDurableObject(library, (_, state) => {
      // 100 KB left, as counted.
      state.storage.sql.exec(
        "INSERT INTO documents (id, title, body, updated_at, size, counted) VALUES ('big', 'Big', '', 0, 0, ?)",
        LIMITS.libraryBytes - 100_000,
      );
    });
    const response = await adminFetch("PUT", `${name}/tiny-sections`, TINY_SECTIONS);
    expect(new TextEncoder().encode(TINY_SECTIONS).byteLength).toBeLessThan(100_000);
    expect(response.status).toBe(409);
    expect((await response.json<{ error: string }>()).error).toMatch(
      /adding \d+ KB would pass its limit of 50\.0 MB \(a document counts its text, and each passage its heading trail, title and id\)/,
    );
    expect(await listIds(name)).not.toContain("tiny-sections");
  });

  it("refuse an empty or non-UTF-8 body with 422 and a bad id or name with 400", async () => {
    const name = crypto.randomUUID();
    expect((await adminFetch("PUT", `${name}/empty`, " \n\n ")).status).toBe(422);
    const latin1 = await adminFetch("PUT", `${name}/latin1`, new Uint8Array([0x43, 0x61, 0x66, 0xe9]));
    expect(latin1.status).toBe(422);
    expect((await latin1.json<{ error: string }>()).error).toMatch(/not UTF-8/);
    expect((await adminFetch("PUT", `${name}/.hidden`, "text")).status).toBe(400);
    expect((await adminFetch("GET", "not.a.library")).status).toBe(400);
    expect(await listIds(name)).toEqual([]);
  });
});

/** Issue #18's document: a 24 KB top heading, then 1 000 sections of one word (36 KB that took 83 MB). */
const TINY_SECTIONS = `# ${"Policies and procedures ".repeat(1_000)}\n\n${Array.from({ length: 1_000 }, (_, i) => `## ${i}\n\nw${i}`).join("\n\n")}`;

/** Like the 21 KB document a bot stored in 32 MB: three long headings, a thousand one-line sections under them. */
const DEEP_SECTIONS = `${[1, 2, 3].map((level) => `${"#".repeat(level)} ${`Heading ${level} `.repeat(300)}`).join("\n\n")}\n\n${Array.from({ length: 1_000 }, (_, i) => `#### ${i}\nok`).join("\n")}`;

/** The text whose index is largest for its size: every word a different one. */
const ALL_DIFFERENT_WORDS = Array.from({ length: 90_000 }, (_, i) => (i + 46_656).toString(36)).join(" ");

const writer = (name: string) =>
  ({
    botId: "assistant",
    room: { id: 1 },
    asker: { id: 7, name: "Ada Lovelace" },
    knowledge: knowledgeAccess(env, [], [name]),
  }) as unknown as ToolContext;

describe("what a library stores", () => {
  it.each<[string, (name: string) => Promise<unknown>]>([
    [
      "issue #18's 36 KB document of a huge heading and 1 000 one-word sections",
      (name) => adminFetch("PUT", `${name}/doc`, TINY_SECTIONS),
    ],
    [
      "a bot's document of long nested headings, with the longest title and id",
      (name) =>
        storeDocument.run(
          { id: "d".repeat(128), title: "Title ".repeat(40).slice(0, 200), body: DEEP_SECTIONS },
          writer(name),
        ),
    ],
    ["a document of all different words", (name) => adminFetch("PUT", `${name}/doc`, ALL_DIFFERENT_WORDS)],
  ])("stays within STORED_MULTIPLE of what the limit counts: %s", async (_, store) => {
    const name = crypto.randomUUID();
    const library = await newLibrary(HANDBOOK, name);
    const before = await runInDurableObject(library, (_, state) => state.storage.sql.databaseSize);
    // Replacing it again and again must not grow it either.
    for (let i = 0; i < 3; i++) await store(name);
    const after = await runInDurableObject(library, (_, state) => state.storage.sql.databaseSize);
    const listed = await (await adminFetch("GET", name)).json<{
      counted: number;
      documents: { id: string; size: number; counted: number }[];
    }>();
    const stored = listed.documents.find((doc) => !HANDBOOK.some((handbook) => handbook.id === doc.id))!;
    expect(after - before).toBeLessThanOrEqual(STORED_MULTIPLE * stored.counted);
  });

  it("counts the passages of a library stored before they were counted, and keeps serving it", async () => {
    const library = env.KNOWLEDGE.getByName(crypto.randomUUID());
    const heading = "Leave › Parental leave";
    await runInDurableObject(library, (_, state) => {
      // The tables as the first version of the library made them.
      state.storage.sql.exec(`
        CREATE TABLE documents (num INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT NOT NULL, source TEXT, body TEXT NOT NULL, updated_at INTEGER NOT NULL, size INTEGER NOT NULL);
        CREATE VIRTUAL TABLE chunks USING fts5(doc_id UNINDEXED, title, heading, text, tokenize = 'porter unicode61');`);
      state.storage.sql.exec(
        "INSERT INTO documents (num, id, title, body, updated_at, size) VALUES (1, 'leave', 'Leave', 'sixteen weeks of leave', 0, 22)",
      );
      for (let n = 0; n < 2; n++)
        state.storage.sql.exec(
          "INSERT INTO chunks (rowid, doc_id, title, heading, text) VALUES (?, 'leave', 'Leave', ?, 'sixteen weeks')",
          2 ** 20 + n,
          heading,
        );
    });
    const perPassage = "leave".length + "Leave".length + new TextEncoder().encode(heading).byteLength + PASSAGE_BYTES;
    expect(await library.list()).toMatchObject([{ id: "leave", size: 22, counted: 22 + 2 * perPassage }]);
    expect((await library.search("sixteen weeks", 5)).map((p) => p.docId)).toEqual(["leave", "leave"]);
    expect(
      await library.put({ id: "office", title: "Office", source: null, body: "The door code is on the fridge." }),
    ).toMatchObject({ ok: true, created: true });
    expect(await library.put({ id: "leave", title: "Leave", source: null, body: "Ask the giraffe." })).toMatchObject({
      ok: true,
      created: false,
    });
    expect(await library.search("sixteen", 5)).toEqual([]);
  });
});

describe("the admin API", () => {
  it("round-trips a document: PUT, list, GET, DELETE", async () => {
    const name = crypto.randomUUID();
    const body =
      "---\ntitle: Office guide\nsource: https://wiki.example/office\n---\n# Office\n\nThe door code is on the fridge.";
    const created = await adminFetch("PUT", `${name}/office`, body, { "content-type": "text/markdown" });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: "office", title: "Office guide", created: true, chunks: 1 });
    expect((await adminFetch("PUT", `${name}/office`, body)).status).toBe(200);

    const list = await (await adminFetch("GET", name)).json<{
      count: number;
      bytes: number;
      documents: { id: string; title: string; size: number }[];
    }>();
    const size = new TextEncoder().encode("# Office\n\nThe door code is on the fridge.").byteLength;
    expect(list).toMatchObject({ count: 1, bytes: size, documents: [{ id: "office", title: "Office guide", size }] });

    const doc = await (await adminFetch("GET", `${name}/office`)).json();
    expect(doc).toMatchObject({
      id: "office",
      source: "https://wiki.example/office",
      body: "# Office\n\nThe door code is on the fridge.",
    });

    expect((await adminFetch("DELETE", `${name}/office`)).status).toBe(200);
    expect((await adminFetch("GET", `${name}/office`)).status).toBe(404);
    expect((await adminFetch("DELETE", `${name}/office`)).status).toBe(404);
    expect(await env.KNOWLEDGE.getByName(name).search("door code", 5)).toEqual([]);
  });

  it("takes the title from X-Title when the body has no front matter", async () => {
    const name = crypto.randomUUID();
    await adminFetch("PUT", `${name}/urlaub`, "Text ohne Überschrift.", {
      "x-title": encodeURIComponent("Urlaub & Freizeit"),
    });
    expect((await env.KNOWLEDGE.getByName(name).list())[0]!.title).toBe("Urlaub & Freizeit");
  });

  it("takes a library's name in any case as the one library of that name in lower case", async () => {
    const name = crypto.randomUUID();
    const stored = await adminFetch(
      "PUT",
      `KB-${name.toUpperCase()}/office`,
      "# Office\n\nThe giraffe guards the door.",
    );
    expect(stored.status).toBe(201);
    expect(await stored.json()).toMatchObject({ library: `kb-${name}` });
    expect(await (await adminFetch("GET", `kb-${name}`)).json()).toMatchObject({
      library: `kb-${name}`,
      count: 1,
      documents: [{ id: "office" }],
    });
    // What a bot reading "kb-…" searches: the same library.
    expect(
      (
        await knowledgeAccess(env, [`kb-${name}`], [])
          .library(`kb-${name}`)
          .search("giraffe", 5)
      ).map((p) => p.docId),
    ).toEqual(["office"]);
    expect((await adminFetch("DELETE", `Kb-${name}/office`)).status).toBe(200);
  });

  it("answers only with the admin token", async () => {
    const response = await exports.default.fetch("https://bot.example/admin/knowledge/handbook", {
      headers: { authorization: "Bearer wrong" },
    });
    expect(response.status).toBe(401);
  });
});
