import { describe, expect, it } from "vitest";
import { DOC_ID, documentIds, LIBRARY_NAME, parseDocument, slugify } from "../../src/knowledge/document";

describe("parseDocument", () => {
  it("takes title and source from front matter and leaves it out of the body", () => {
    const doc = parseDocument(
      "leave",
      '---\ntitle: "Leave policy"\nsource: https://wiki.example/leave\nowner: hr\n---\n# Leave\n\nText.',
      "Ignored",
    );
    expect(doc).toEqual({ title: "Leave policy", source: "https://wiki.example/leave", body: "# Leave\n\nText." });
  });

  it("falls back to the X-Title header, URL-encoded or not", () => {
    expect(parseDocument("x", "# Heading\n\ntext", "Urlaub%20%26%20Kr%C3%A4nkung").title).toBe("Urlaub & Kränkung");
    expect(parseDocument("x", "text", "100% remote").title).toBe("100% remote");
  });

  it("then to the first level-one heading, then to the id", () => {
    expect(parseDocument("x", "Intro\n\n# Office hours\n\n## Not this", null).title).toBe("Office hours");
    expect(parseDocument("office-hours", "## Only a subheading\n\ntext").title).toBe("office-hours");
  });

  it("keeps a body without front matter as it is, and a horizontal rule later is not front matter", () => {
    const text = "Intro\n\n---\ntitle: no\n---\n";
    expect(parseDocument("x", text)).toEqual({ title: "x", source: null, body: text });
  });
});

describe("names", () => {
  it.each(["leave-policy", "v1.2_notes", "A", "x".repeat(128)])("accepts the document id %j", (id) =>
    expect(DOC_ID.test(id)).toBe(true),
  );
  it.each(["", ".", "..", "-x", "a/b", "a b", "ä", "x".repeat(129)])("refuses the document id %j", (id) =>
    expect(DOC_ID.test(id)).toBe(false),
  );
  it.each(["handbook", "Eng-docs_2"])("accepts the library name %j", (name) =>
    expect(LIBRARY_NAME.test(name)).toBe(true),
  );
  it.each(["", "_x", "a.b", "x".repeat(64)])("refuses the library name %j", (name) =>
    expect(LIBRARY_NAME.test(name)).toBe(false),
  );

  it("slugs file names into valid document ids", () => {
    expect(slugify("Parental Leave (2026).md")).toBe("parental-leave-2026");
    expect(slugify("Café-Regeln.markdown")).toBe("cafe-regeln");
    expect(slugify("notes.v2.txt")).toBe("notes.v2");
    for (const name of ["Parental Leave (2026).md", "__x.md", "a".repeat(300) + ".md"])
      expect(DOC_ID.test(slugify(name))).toBe(true);
  });

  it("gives a file name with letters an id cannot hold a valid id of its own, the same on every machine", () => {
    const names = [
      "休暇.md",
      "病假.md",
      "😀.md",
      "😁.txt",
      "Plan 😀.md",
      "Plan 😁.md",
      "Отпуск 2026.md",
      "x".repeat(200) + "休暇.md",
    ];
    const ids = names.map(slugify);
    for (const id of ids) expect(DOC_ID.test(id)).toBe(true);
    expect(new Set(ids).size).toBe(names.length);
    expect(ids[0]).toMatch(/^doc-[0-9a-f]{8}$/);
    expect(ids[4]).toMatch(/^plan-[0-9a-f]{8}$/);
    expect(ids[6]).toMatch(/^2026-[0-9a-f]{8}$/);
    // macOS spells file names decomposed; the id does not change with it.
    expect(slugify("Ärger 休暇.md".normalize("NFD"))).toBe(slugify("Ärger 休暇.md".normalize("NFC")));
    expect(slugify("休暇.md")).toBe(ids[0]);
  });

  it("spells Latin letters without an accent to take off as ASCII does, and keeps punctuation out of the hash", () => {
    expect(slugify("Straße & Œuvre.md")).toBe("strasse-oeuvre");
    expect(slugify("Notes – “draft”.md")).toBe("notes-draft");
  });

  it("names the files of one upload that would become the same document", () => {
    expect(documentIds(["Leave.md", "leave.txt", "office.md"])).toEqual({
      ids: ["leave", "leave", "office"],
      clashes: ['Leave.md and leave.txt would both be the document "leave"; rename one of them'],
    });
    expect(documentIds(["A.md", "a.markdown", "a.txt"]).clashes).toEqual([
      'A.md, a.markdown and a.txt would all be the document "a"; rename all but one',
    ]);
    expect(documentIds(["休暇.md", "病假.md", "leave.md"]).clashes).toEqual([]);
  });
});
