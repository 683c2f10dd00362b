import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ftsQuery } from "../../src/knowledge/query";
import { HANDBOOK, newLibrary } from "./knowledge-helpers";

const HOSTILE = [
  '"',
  '""',
  '"""',
  "'",
  "*",
  "**",
  "leave*",
  "*leave",
  "NEAR(",
  "NEAR(leave sick",
  "NEAR(leave, sick, 2)",
  "AND",
  "OR",
  "NOT",
  "leave AND",
  "OR OR OR",
  "NOT sick",
  "-",
  "-leave",
  "^",
  "^leave",
  ":",
  "title:leave",
  "{title heading}: leave",
  "(",
  ")",
  "()",
  "(leave",
  "leave)",
  "+",
  "@",
  "\\",
  "\u0000",
  "leave\u0000sick",
  "🎉",
  "👩‍👩‍👧 parental",
  "休暇",
  "有給休暇を教えて",
  "Überstunden",
  "ﬁnance",
  "\u200b",
  "e\u0301",
  "\ud800",
  "leave'); DROP TABLE documents; --",
  "%",
  "_",
  "[leave]",
  "leave.sick",
  "1/2",
];

/** Deterministic junk: the same 10 KB every run, so a failure can be reproduced. */
function junk(length: number, seed: number): string {
  const pieces = [
    '"',
    "*",
    "NEAR(",
    " AND ",
    " OR ",
    "-",
    "^",
    ":",
    "(",
    ")",
    "🎉",
    "休",
    "\u0000",
    " ",
    "a",
    "Z",
    "9",
    "é",
    "\n",
    "'",
    ",",
  ];
  let state = seed;
  let text = "";
  while (text.length < length) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    text += pieces[state % pieces.length];
  }
  return text;
}

describe("searching with anything a person might type", () => {
  it("never makes FTS5 fail, and still finds what the words ask for", async () => {
    const library = await newLibrary(HANDBOOK);
    const queries = [...HOSTILE, ...Array.from({ length: 30 }, (_, i) => junk(200, i)), junk(10_240, 99)];
    for (const query of queries) {
      await expect(library.search(query, 5), `query ${JSON.stringify(query.slice(0, 40))}`).resolves.toBeInstanceOf(
        Array,
      );
    }
    expect((await library.search('"parental" NEAR(leave*', 1))[0]?.heading).toBe("Leave › Parental leave");
    expect((await library.search("-receipts^", 1))[0]?.docId).toBe("expenses");
  });

  it("builds MATCH expressions that a bare FTS5 table accepts, one by one", async () => {
    const library = await newLibrary(HANDBOOK);
    const queries = [...HOSTILE, ...Array.from({ length: 30 }, (_, i) => junk(500, 1000 + i))]
      .map(ftsQuery)
      .filter((q): q is string => q !== null);
    expect(queries.length).toBeGreaterThan(30);
    await runInDurableObject(library, (_, state) => {
      const sql = state.storage.sql;
      sql.exec("CREATE VIRTUAL TABLE IF NOT EXISTS sweep USING fts5(text, tokenize = 'trigram')");
      for (const match of queries) {
        expect(() => sql.exec("SELECT count(*) FROM chunks WHERE chunks MATCH ?", match).one(), match).not.toThrow();
        expect(() => sql.exec("SELECT count(*) FROM sweep WHERE sweep MATCH ?", match).one(), match).not.toThrow();
      }
    });
  });
});
