import { beforeEach, describe, expect, it } from "vitest";
import { parseMemoryCommand, type MemoryCommand } from "../../src/memory/command-schema";
import { MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES, runCommand } from "../../src/memory/commands";
import type { FileStore, StoredFile } from "../../src/memory/file-store";

/** The FileStore contract over a Map, so the interpreter is tested without SQLite. */
class MapStore implements FileStore {
  readonly files = new Map<string, StoredFile>();
  get(path: string) {
    return this.files.get(path) ?? null;
  }
  put(path: string, content: string, now: number) {
    this.files.set(path, { path, content, updatedAt: now });
  }
  delete(path: string) {
    this.files.delete(path);
  }
  listUnder(dir: string) {
    return [...this.files.values()]
      .filter((f) => f.path.startsWith(`${dir}/`))
      .sort((a, b) => (a.path < b.path ? -1 : 1));
  }
  rename(from: string, to: string, now: number) {
    const file = this.files.get(from)!;
    this.files.delete(from);
    this.files.set(to, { path: to, content: file.content, updatedAt: now });
  }
}

let store: MapStore;
const run = (command: MemoryCommand, now = 1_000) => runCommand(store, command, now);
const ok = (command: MemoryCommand) => {
  const result = run(command);
  expect(result.isError, result.content).toBe(false);
  return result.content;
};
const refused = (command: MemoryCommand) => {
  const result = run(command);
  expect(result.isError, result.content).toBe(true);
  return result.content;
};
const content = (path: string) => store.get(path)?.content;

beforeEach(() => {
  store = new MapStore();
});

describe("view", () => {
  it("says an empty memory is empty", () => {
    expect(ok({ command: "view", path: "/memories" })).toMatch(/empty/);
  });

  it("lists every file with its size, and the memory's usage against its limits", () => {
    store.put("/memories/preferences.md", "likes tea", 1);
    store.put("/memories/projects/apollo.md", "x".repeat(2048), 1);
    const listing = ok({ command: "view", path: "/memories/" });
    expect(listing.split("\n")).toEqual([
      `Files in /memories (the memory holds 2 of at most ${MAX_FILES} files, 2KB of 256KB):`,
      "9B\t/memories/preferences.md",
      "2KB\t/memories/projects/apollo.md",
    ]);
    expect(ok({ command: "view", path: "/memories/projects" })).toContain("/memories/projects/apollo.md");
    expect(ok({ command: "view", path: "/memories/projects" })).not.toContain("preferences");
  });

  it("shows a file with numbered lines, or only the lines in view_range", () => {
    store.put("/memories/a.md", "one\ntwo\nthree", 1);
    expect(ok({ command: "view", path: "/memories/a.md" })).toBe(
      "Here's the content of /memories/a.md with line numbers:\n     1\tone\n     2\ttwo\n     3\tthree",
    );
    expect(ok({ command: "view", path: "/memories/a.md", view_range: [2, 3] })).toMatch(/\n {5}2\ttwo\n {5}3\tthree$/);
    expect(ok({ command: "view", path: "/memories/a.md", view_range: [3, -1] })).toMatch(/\n {5}3\tthree$/);
  });

  it.each([[[0, 2]], [[2, 1]], [[1, 4]], [[4, -1]]])(
    "refuses view_range %j outside the file, saying how many lines it has",
    (range) => {
      store.put("/memories/a.md", "one\ntwo\nthree", 1);
      expect(refused({ command: "view", path: "/memories/a.md", view_range: range })).toMatch(/has 3 lines/);
    },
  );

  it("says what is missing, and refuses a view_range on a directory", () => {
    expect(refused({ command: "view", path: "/memories/nope.md" })).toBe(
      "No such file or directory: /memories/nope.md. View /memories to see which files exist.",
    );
    store.put("/memories/d/a.md", "a", 1);
    expect(refused({ command: "view", path: "/memories/d", view_range: [1, 1] })).toMatch(/directory/);
  });
});

describe("create", () => {
  it("creates a file, with its directories implied", () => {
    expect(ok({ command: "create", path: "/memories/people/ada.md", file_text: "prefers metric" })).toBe(
      "File created successfully at: /memories/people/ada.md",
    );
    expect(content("/memories/people/ada.md")).toBe("prefers metric");
    expect(store.get("/memories/people/ada.md")!.updatedAt).toBe(1_000);
  });

  it("refuses to overwrite a file, to replace a directory, or to put a file below a file", () => {
    store.put("/memories/a.md", "old", 1);
    store.put("/memories/d/b.md", "b", 1);
    expect(refused({ command: "create", path: "/memories/a.md", file_text: "new" })).toMatch(
      /already exists; change it with str_replace/,
    );
    expect(content("/memories/a.md")).toBe("old");
    expect(refused({ command: "create", path: "/memories/d", file_text: "x" })).toMatch(/is a directory/);
    expect(refused({ command: "create", path: "/memories", file_text: "x" })).toMatch(/is a directory/);
    expect(refused({ command: "create", path: "/memories/a.md/c.md", file_text: "x" })).toMatch(
      "/memories/a.md is a file, not a directory",
    );
  });

  it("refuses a path outside /memories and stores nothing", () => {
    expect(refused({ command: "create", path: "/memories/../secrets.md", file_text: "x" })).toMatch(/"\.\."/);
    expect(store.files.size).toBe(0);
  });
});

describe("str_replace", () => {
  it("replaces the one occurrence and echoes the changed lines", () => {
    store.put("/memories/a.md", "name: Ada\ntea: green\nlang: en", 1);
    const result = ok({
      command: "str_replace",
      path: "/memories/a.md",
      old_str: "tea: green",
      new_str: "tea: black\ncoffee: never",
    });
    expect(content("/memories/a.md")).toBe("name: Ada\ntea: black\ncoffee: never\nlang: en");
    expect(result).toMatch(/ {5}2\ttea: black\n {5}3\tcoffee: never$/);
  });

  it("refuses text that is missing, empty, or not unique, and leaves the file alone", () => {
    store.put("/memories/a.md", "tea\ntea\ntea", 1);
    expect(refused({ command: "str_replace", path: "/memories/a.md", old_str: "tea", new_str: "x" })).toBe(
      "old_str must appear exactly once in /memories/a.md; it appears 3 times. Include more of the text around it to make it unique.",
    );
    expect(refused({ command: "str_replace", path: "/memories/a.md", old_str: "coffee", new_str: "x" })).toMatch(
      /not found in \/memories\/a.md/,
    );
    expect(refused({ command: "str_replace", path: "/memories/a.md", old_str: "", new_str: "x" })).toMatch(
      /old_str is empty/,
    );
    expect(content("/memories/a.md")).toBe("tea\ntea\ntea");
  });

  it("refuses a missing file and a directory", () => {
    expect(refused({ command: "str_replace", path: "/memories/nope.md", old_str: "a", new_str: "b" })).toMatch(
      /^No such file: \/memories\/nope.md/,
    );
    store.put("/memories/d/a.md", "a", 1);
    expect(refused({ command: "str_replace", path: "/memories/d", old_str: "a", new_str: "b" })).toMatch(
      /is a directory, not a file/,
    );
  });
});

describe("insert", () => {
  it("inserts after the given line: 0 is the top, the line count the end", () => {
    store.put("/memories/a.md", "one\ntwo", 1);
    ok({ command: "insert", path: "/memories/a.md", insert_line: 0, insert_text: "zero\n" });
    ok({ command: "insert", path: "/memories/a.md", insert_line: 3, insert_text: "three" });
    ok({ command: "insert", path: "/memories/a.md", insert_line: 1, insert_text: "half" });
    expect(content("/memories/a.md")).toBe("zero\nhalf\none\ntwo\nthree");
  });

  it("refuses a line outside the file and a missing file", () => {
    store.put("/memories/a.md", "one\ntwo", 1);
    expect(refused({ command: "insert", path: "/memories/a.md", insert_line: 3, insert_text: "x" })).toMatch(
      /which has 2 lines; use 0 for the top up to 2/,
    );
    expect(refused({ command: "insert", path: "/memories/a.md", insert_line: -1, insert_text: "x" })).toMatch(
      /insert_line -1/,
    );
    expect(refused({ command: "insert", path: "/memories/b.md", insert_line: 0, insert_text: "x" })).toMatch(
      /^No such file/,
    );
    expect(content("/memories/a.md")).toBe("one\ntwo");
  });
});

describe("delete", () => {
  it("deletes a file, a directory with everything in it, or everything at /memories", () => {
    store.put("/memories/a.md", "a", 1);
    store.put("/memories/d/b.md", "b", 1);
    store.put("/memories/d/e/c.md", "c", 1);
    store.put("/memories/keep.md", "k", 1);
    expect(ok({ command: "delete", path: "/memories/a.md" })).toBe("Deleted /memories/a.md.");
    expect(ok({ command: "delete", path: "/memories/d" })).toMatch(/2 files/);
    expect([...store.files.keys()]).toEqual(["/memories/keep.md"]);
    expect(ok({ command: "delete", path: "/memories" })).toMatch(/Deleted everything in \/memories \(1 files\)/);
    expect(store.files.size).toBe(0);
    expect(ok({ command: "delete", path: "/memories" })).toMatch(/already empty/);
  });

  it("refuses what does not exist and paths outside /memories", () => {
    expect(refused({ command: "delete", path: "/memories/nope" })).toMatch(/^No such file or directory/);
    expect(refused({ command: "delete", path: "/" })).toMatch(/outside \/memories/);
  });
});

describe("rename", () => {
  it("moves a file, or a directory with everything in it", () => {
    store.put("/memories/a.md", "a", 1);
    store.put("/memories/d/b.md", "b", 1);
    store.put("/memories/d/e/c.md", "c", 1);
    expect(ok({ command: "rename", old_path: "/memories/a.md", new_path: "/memories/notes/a.md" })).toBe(
      "Renamed /memories/a.md to /memories/notes/a.md.",
    );
    ok({ command: "rename", old_path: "/memories/d", new_path: "/memories/archive" });
    expect([...store.files.keys()].sort()).toEqual([
      "/memories/archive/b.md",
      "/memories/archive/e/c.md",
      "/memories/notes/a.md",
    ]);
    expect(content("/memories/archive/e/c.md")).toBe("c");
  });

  it("refuses to overwrite, to move /memories, to move a directory into itself, or below a file", () => {
    store.put("/memories/a.md", "a", 1);
    store.put("/memories/b.md", "b", 1);
    store.put("/memories/d/c.md", "c", 1);
    expect(refused({ command: "rename", old_path: "/memories/a.md", new_path: "/memories/b.md" })).toMatch(
      /\/memories\/b.md already exists/,
    );
    expect(refused({ command: "rename", old_path: "/memories/a.md", new_path: "/memories/d" })).toMatch(
      /\/memories\/d already exists/,
    );
    expect(refused({ command: "rename", old_path: "/memories", new_path: "/memories/x" })).toMatch(/cannot be renamed/);
    expect(refused({ command: "rename", old_path: "/memories/d", new_path: "/memories/d/sub" })).toMatch(/into itself/);
    expect(refused({ command: "rename", old_path: "/memories/d", new_path: "/memories/a.md/x" })).toMatch(
      /\/memories\/a.md is a file/,
    );
    expect(refused({ command: "rename", old_path: "/memories/nope", new_path: "/memories/x" })).toMatch(
      /^No such file or directory/,
    );
    expect(refused({ command: "rename", old_path: "/memories/a.md", new_path: "/tmp/a.md" })).toMatch(
      /outside \/memories/,
    );
    expect([...store.files.keys()].sort()).toEqual(["/memories/a.md", "/memories/b.md", "/memories/d/c.md"]);
  });

  it("refuses a directory move that would put a file too deep, and moves nothing", () => {
    store.put("/memories/d/1/2/3/4/5/6/f.md", "f", 1);
    expect(refused({ command: "rename", old_path: "/memories/d", new_path: "/memories/x/y/z" })).toMatch(/at most 8/);
    expect([...store.files.keys()]).toEqual(["/memories/d/1/2/3/4/5/6/f.md"]);
  });
});

describe("limits", () => {
  it(`refuses a file over ${MAX_FILE_BYTES} bytes, by create, str_replace or insert`, () => {
    expect(
      ok({ command: "create", path: "/memories/full.md", file_text: `${"x".repeat(MAX_FILE_BYTES - 3)}END` }),
    ).toMatch(/created/);
    expect(
      refused({ command: "create", path: "/memories/big.md", file_text: "é".repeat(MAX_FILE_BYTES / 2 + 1) }),
    ).toMatch(/at most 32KB/);
    expect(refused({ command: "str_replace", path: "/memories/full.md", old_str: "END", new_str: "ENDS" })).toMatch(
      /at most 32KB/,
    );
    expect(refused({ command: "insert", path: "/memories/full.md", insert_line: 1, insert_text: "more" })).toMatch(
      /at most 32KB/,
    );
    expect(content("/memories/full.md")).toHaveLength(MAX_FILE_BYTES);
  });

  it(`refuses a file beyond ${MAX_FILES}, but still lets existing files change`, () => {
    for (let i = 0; i < MAX_FILES; i++) store.put(`/memories/f${i}.md`, "x", 1);
    expect(refused({ command: "create", path: "/memories/one-more.md", file_text: "x" })).toMatch(
      `already holds ${MAX_FILES} files, the most allowed`,
    );
    ok({ command: "str_replace", path: "/memories/f0.md", old_str: "x", new_str: "y" });
  });

  it(`refuses to grow one person's memory beyond ${MAX_TOTAL_BYTES} bytes`, () => {
    for (let i = 0; i < MAX_TOTAL_BYTES / MAX_FILE_BYTES; i++)
      store.put(`/memories/f${i}.md`, "x".repeat(MAX_FILE_BYTES), 1);
    expect(refused({ command: "create", path: "/memories/last.md", file_text: "x" })).toMatch(
      /at most 256KB is kept per person/,
    );
    expect(store.get("/memories/last.md")).toBeNull();
  });
});

describe("parseMemoryCommand", () => {
  it("accepts the SDK's command shapes", () => {
    expect(parseMemoryCommand({ command: "view", path: "/memories", view_range: [1, -1] })).toEqual({
      command: { command: "view", path: "/memories", view_range: [1, -1] },
    });
    expect(parseMemoryCommand({ command: "rename", old_path: "/memories/a", new_path: "/memories/b" })).toHaveProperty(
      "command",
    );
  });

  it.each([
    [{ command: "format", path: "/memories" }],
    [{ command: "create", path: "/memories/a.md" }],
    [{ command: "insert", path: "/memories/a.md", insert_line: 1.5, insert_text: "x" }],
    [{ command: "view", path: "/memories/a.md", view_range: [1] }],
    ["view /memories"],
  ])("refuses %j, listing the commands it takes", (input) => {
    const result = parseMemoryCommand(input);
    expect(result).toHaveProperty("error");
    expect((result as { error: string }).error).toMatch(/create \{path, file_text\}/);
  });
});
