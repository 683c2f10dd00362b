import { describe, expect, it } from "vitest";
import { MAX_PATH_DEPTH, MAX_PATH_LENGTH, memoryPath, parentsOf } from "../../src/memory/paths";

const errorOf = (raw: string) => {
  const result = memoryPath(raw);
  if (!("error" in result)) throw new Error(`${JSON.stringify(raw)} was accepted as ${result.path}`);
  return result.error;
};

describe("memoryPath", () => {
  it.each([
    ["/memories", "/memories"],
    ["/memories/", "/memories"],
    ["/memories/preferences.md", "/memories/preferences.md"],
    ["/memories/projects/", "/memories/projects"],
    ["/memories/a b/Café notes.md", "/memories/a b/Café notes.md"],
    ["/memories/100%.md", "/memories/100%.md"],
    ["/memories/..notes", "/memories/..notes"],
    ["/memories/שלום/עברית.md", "/memories/שלום/עברית.md"],
    ["/memories/می\u200cخواهم.md", "/memories/می\u200cخواهم.md"],
    ["/memories/👩\u200d💻 notes.md", "/memories/👩\u200d💻 notes.md"],
  ])("accepts %j as %j", (raw, path) => {
    expect(memoryPath(raw)).toEqual({ path });
  });

  it.each([
    ["", /empty/],
    ["memories/a.md", /outside \/memories/],
    ["/etc/passwd", /outside \/memories/],
    ["/", /outside \/memories/],
    ["/memoriesX/a.md", /outside \/memories/],
    ["/Memories/a.md", /outside \/memories/],
    ["/memories/../etc/passwd", /"\.\."/],
    ["/memories/a/../../b", /"\.\."/],
    ["/memories/..", /"\.\."/],
    ["/memories/./a.md", /"\."/],
    ["/memories//a.md", /"\/\/"/],
    ["//memories/a.md", /"\/\/"/],
    ["/memories\\..\\a.md", /backslash/],
    ["/memories/%2e%2e/a.md", /percent-encoding/],
    ["/memories/%2E%2E%2Fsecrets", /percent-encoding/],
    ["/memories/a%00.md", /percent-encoding/],
    ["/memories/a\u0000.md", /U\+0000, a control/],
    ["/memories/a\n.md", /U\+000A, a control/],
    ["/memories/a\u007f", /U\+007F, a control/],
    ["/memories/a\u0085.md", /U\+0085, a control/],
    ["/memories/a\u009b.md", /U\+009B/],
    ["/memories/\u202egpj.exe", /U\+202E/],
    ["/memories/a\u200e.md", /U\+200E/],
    ["/memories/a\u200f.md", /U\+200F/],
    ["/memories/a\u202a.md", /U\+202A/],
    ["/memories/a\u2066.md", /U\+2066/],
    ["/memories/a\u2069.md", /U\+2069/],
    ["/memories/a\u061c.md", /U\+061C/],
    ["/memories/a\u2028.md", /U\+2028/],
    ["/memories/a\u2029.md", /U\+2029/],
    ["/memories/\ufeffa.md", /U\+FEFF/],
    ["/memories/a\u200b.md", /U\+200B/],
    ["/memories/a\u2060.md", /U\+2060/],
    ["/memories/a\u00ad.md", /U\+00AD/],
    ["/memories/a\u{e0041}.md", /U\+E0041/],
  ])("refuses %j, saying why", (raw, reason) => {
    expect(errorOf(raw)).toMatch(reason);
  });

  it(`allows paths up to ${MAX_PATH_LENGTH} characters and refuses longer ones`, () => {
    const longest = `/memories/${"a".repeat(MAX_PATH_LENGTH - "/memories/".length)}`;
    expect(memoryPath(longest)).toEqual({ path: longest });
    expect(errorOf(`${longest}b`)).toMatch(`at most ${MAX_PATH_LENGTH}`);
  });

  it(`allows ${MAX_PATH_DEPTH} levels below /memories and refuses more`, () => {
    const deepest = `/memories${"/d".repeat(MAX_PATH_DEPTH)}`;
    expect(memoryPath(deepest)).toEqual({ path: deepest });
    expect(errorOf(`${deepest}/d`)).toMatch(`at most ${MAX_PATH_DEPTH}`);
  });
});

describe("parentsOf", () => {
  it("lists the directories between a path and /memories, nearest first", () => {
    expect(parentsOf("/memories/a/b/c.md")).toEqual(["/memories/a/b", "/memories/a"]);
    expect(parentsOf("/memories/c.md")).toEqual([]);
  });
});
