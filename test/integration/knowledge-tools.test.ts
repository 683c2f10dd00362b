import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type KnowledgeToolContext, knowledgeAccess } from "../../src/knowledge/access";
import { listDocuments, readDocument, searchKnowledge, storeDocument } from "../../src/knowledge/tools";
import { MAX_RESULT_CHARS } from "../../src/knowledge/tool-output";
import { ToolError } from "../../src/tools/tool";
import { HANDBOOK, newLibrary } from "./knowledge-helpers";

/** What the knowledge tools use of a conversation's context: who asks, and which libraries the bot has. */
function context(readable: string[], writable: string[] = []): KnowledgeToolContext {
  return {
    botId: "assistant",
    room: { id: 1 },
    asker: { id: 7, name: "Ada Lovelace" },
    timeZone: "UTC",
    now: new Date(),
    knowledge: knowledgeAccess(env, readable, writable),
  } as unknown as KnowledgeToolContext;
}

describe("search_knowledge", () => {
  it("shows the best passages with title, section and id to cite, from the bot's only library", async () => {
    const name = crypto.randomUUID();
    await newLibrary(HANDBOOK, name);
    const result = await searchKnowledge.run({ query: "parental leave weeks" }, context([name]));
    expect(result).toMatch(
      /^Passages from library ".+", best first:\n\n\[1\] Leave › Parental leave \(id: leave\)\n.*16 \*\*weeks\*\*/,
    );
  });

  it("searches all the bot's libraries when none is named, and refuses one it does not have", async () => {
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    await newLibrary(HANDBOOK, b);
    expect(await searchKnowledge.run({ query: "leave" }, context([a, b]))).toMatch(
      new RegExp(`\\(id: leave\\) in library "${b}"`),
    );
    expect(await searchKnowledge.run({ query: "leave", library: b }, context([a, b]))).toContain("(id: leave)");
    await expect(searchKnowledge.run({ query: "leave", library: "secret" }, context([a]))).rejects.toThrow(
      /no library "secret"/,
    );
    await expect(searchKnowledge.run({ query: "leave" }, context([]))).rejects.toBeInstanceOf(ToolError);
  });

  it("shows a passage whole even with the longest title and id, huge headings and a word of 100 000 letters", async () => {
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    const headings = [1, 2, 3, 4, 5, 6]
      .map((level) => `${"#".repeat(level)} ${`giraffe heading ${level} `.repeat(100)}`)
      .join("\n\n");
    await newLibrary(
      [
        {
          id: "g".repeat(128),
          title: "Giraffe ".repeat(25).slice(0, 200),
          source: null,
          body: `${headings}\n\ngiraffe ${"x".repeat(100_000)} giraffe`,
        },
      ],
      b,
    );
    // Two libraries: each passage also names its library.
    const result = await searchKnowledge.run({ query: "giraffe giraffe" }, context([a, b]));
    expect(result.length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
    expect(result).toContain(`[1] Giraffe`);
    expect(result).toContain(`(id: ${"g".repeat(128)}) in library "${b}"`);
  });

  it("takes the library's name in any case", async () => {
    const name = crypto.randomUUID();
    await newLibrary(HANDBOOK, name);
    expect(
      await searchKnowledge.run({ query: "parental leave", library: name.toUpperCase() }, context([name])),
    ).toContain("(id: leave)");
  });

  it("says when nothing matches, and suggests what to try", async () => {
    const name = crypto.randomUUID();
    await newLibrary(HANDBOOK, name);
    expect(await searchKnowledge.run({ query: "quantum chromodynamics" }, context([name]))).toMatch(
      /^Nothing in library .* matches\. Try other words/,
    );
  });
});

describe("read_document", () => {
  it("reads a long document page by page, saying which page comes next", async () => {
    const name = crypto.randomUUID();
    const body = Array.from({ length: 60 }, (_, i) => `Paragraph ${i}. ${"text ".repeat(50)}`).join("\n\n");
    await newLibrary([{ id: "long", title: "Long read", source: "https://wiki.example/long", body }], name);
    const first = await readDocument.run({ id: "long" }, context([name]));
    expect(first).toMatch(/^# Long read \(id: long\)\nSource: https:\/\/wiki.example\/long\n\nParagraph 0\./);
    expect(first).toMatch(/\(page 1 of 3; ask for page 2\)$/);
    expect(first.length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
    expect(await readDocument.run({ id: "long", page: 3 }, context([name]))).toMatch(
      /Paragraph 59\. .*\n\n\(page 3 of 3; the end\)$/s,
    );
    await expect(readDocument.run({ id: "long", page: 4 }, context([name]))).rejects.toThrow(
      '"long" has only 3 pages.',
    );
    await expect(readDocument.run({ id: "nope" }, context([name]))).rejects.toThrow(/has no document "nope"/);
  });
});

describe("list_documents", () => {
  it("lists every document with its size, and says so when the list is cut", async () => {
    const name = crypto.randomUUID();
    await newLibrary(HANDBOOK, name);
    const bytes = (id: string) => new TextEncoder().encode(HANDBOOK.find((doc) => doc.id === id)!.body).byteLength;
    expect(await listDocuments.run({}, context([name]))).toBe(
      `Library "${name}" has 3 documents:\n- expenses: Expenses (${bytes("expenses")} bytes)\n- leave: Leave (${bytes("leave")} bytes)\n- oncall: On-call (${bytes("oncall")} bytes)`,
    );
    await runInDurableObject(env.KNOWLEDGE.getByName(name), (library) => {
      for (let i = 0; i < 200; i++)
        library.put({
          id: `doc-${i}`,
          title: `A rather long title for document number ${i}`,
          source: null,
          body: "text",
        });
    });
    const cut = await listDocuments.run({}, context([name]));
    expect(cut.length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
    expect(cut).toMatch(
      /has 203 documents:[\s\S]*\n\n\(cut: \d+ more not shown to keep this short; search_knowledge finds documents by what they say\)$/,
    );
  });
});

describe("store_document", () => {
  it("stores into a writable library so search finds it, and replaces by id", async () => {
    const name = crypto.randomUUID();
    const writer = context([], [name]);
    expect(
      await storeDocument.run({ id: "wifi", title: "Wi-Fi", body: "The guest password is on the whiteboard." }, writer),
    ).toMatch(/^Stored "Wi-Fi" \(id: wifi\)/);
    expect(
      await storeDocument.run({ id: "wifi", title: "Wi-Fi", body: "Guests use the network CampGuest." }, writer),
    ).toMatch(/^Replaced/);
    expect(await searchKnowledge.run({ query: "guest network" }, writer)).toContain("Wi-Fi (id: wifi)");
    expect(await searchKnowledge.run({ query: "whiteboard" }, writer)).toMatch(/^Nothing/);
  });

  it("refuses a read-only library, and passes on a limit's reason", async () => {
    const name = crypto.randomUUID();
    await expect(storeDocument.run({ id: "x", title: "X", body: "text" }, context([name]))).rejects.toThrow(
      /may only read its libraries.*knowledge_write/,
    );
    const huge = "word ".repeat(120_000);
    await expect(storeDocument.run({ id: "x", title: "X", body: huge }, context([], [name]))).rejects.toThrow(
      /^Not stored: the document is 586 KB; a document may be at most 512 KB/,
    );
  });
});
