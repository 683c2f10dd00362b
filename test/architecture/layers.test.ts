import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// Imports run one way, from the edge down to the leaves: a layer may import its own and any lower layer, never a higher one.
const LAYERS = ["edge", "objects", "conversation core", "features", "tools", "services", "leaves"] as const;
type Layer = (typeof LAYERS)[number];

/**
 * Every source file's layer: the first row whose pattern matches ("dir/**" is everything under dir). A route or
 * Durable Object that lives in a feature's or the playground's folder but belongs to another layer has its own row
 * before the folder's. The Library and Memory objects stay with their features: they import only their feature's
 * modules, and the feature's tools are written against their RPC types.
 */
const TABLE: [pattern: string, layer: Layer][] = [
  ["src/index.ts", "edge"],
  ["src/webhook/**", "edge"],
  ["src/auth.ts", "edge"],
  ["src/reject.ts", "edge"],
  ["src/admin.ts", "edge"],
  ["src/health.ts", "edge"],
  ["src/console/**", "edge"],
  ["src/scheduled.ts", "edge"],
  ["src/knowledge/admin.ts", "edge"],
  ["src/memory/admin.ts", "edge"],
  ["src/control/admin.ts", "edge"],
  ["src/console-page.ts", "edge"],
  ["src/digests/admin.ts", "edge"],
  // The playground's Campfire and offline model are objects the edge wires in; the rest of it is its routes and page.
  ["src/playground/campfire-store.ts", "objects"],
  ["src/playground/store-rows.ts", "objects"],
  ["src/playground/offline-model.ts", "objects"],
  ["src/playground/sqlite-store.ts", "objects"],
  ["src/playground/rooms.ts", "objects"],
  // The Campfire the playground and the tests talk to: it serves requests, it is not part of the bot.
  ["src/campfire-emulator/**", "objects"],
  ["src/playground/**", "edge"],
  ["src/objects/**", "objects"],
  ["src/registry/**", "objects"],
  // A bot's control object; its clients (the switch's status, the audit log) are below every layer that reads them.
  ["src/control/control-object.ts", "objects"],
  // A bot's digests object and its firing start turns in conversations; its stores, schedule, prompt, tools: features.
  ["src/digests/digests-object.ts", "objects"],
  ["src/digests/firing.ts", "objects"],
  ["src/conversation/**", "conversation core"],
  ["src/knowledge/**", "features"],
  ["src/memory/**", "features"],
  ["src/digests/**", "features"],
  ["src/budget/**", "features"],
  ["src/schedules/**", "features"],
  ["src/tools/**", "tools"],
  ["src/campfire/**", "services"],
  ["src/anthropic/**", "services"],
  ["src/control/**", "services"],
  // Config is read by every layer above the services, so it sits with the leaves and names tools without loading them.
  ["src/config/**", "leaves"],
  ["src/log.ts", "leaves"],
  ["src/text.ts", "leaves"],
  ["src/bytes.ts", "leaves"],
  ["src/sqlite.ts", "leaves"],
  ["src/keep.ts", "leaves"],
  ["src/usage.ts", "leaves"],
  ["src/cron.ts", "leaves"],
  ["src/zoned-time.ts", "leaves"],
  ["src/failure.ts", "leaves"],
];

const ROOT = resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const matches = (pattern: string, file: string) =>
  pattern.endsWith("/**") ? file.startsWith(pattern.slice(0, -2)) : file === pattern;
const layerOf = (file: string): Layer | undefined => TABLE.find(([pattern]) => matches(pattern, file))?.[1];

/** The file a relative specifier means, as the bundler resolves it; undefined when there is none. */
function resolveImport(from: string, specifier: string): string | undefined {
  const base = relative(ROOT, resolve(ROOT, dirname(from), specifier));
  return [base, `${base}.ts`, `${base}/index.ts`].find(
    (path) => existsSync(join(ROOT, path)) && statSync(join(ROOT, path)).isFile(),
  );
}

/** Each file's relative imports: `import … from`, `export … from`, `import("…")`, type-only ones too. */
function importGraph(files: string[]): { graph: Map<string, string[]>; unresolved: string[] } {
  const graph = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const file of files) {
    const specifiers = ts
      .preProcessFile(readFileSync(join(ROOT, file), "utf8"), true, true)
      .importedFiles.map((f) => f.fileName);
    const targets: string[] = [];
    for (const specifier of specifiers.filter((s) => s.startsWith("."))) {
      const target = resolveImport(file, specifier);
      if (target === undefined) unresolved.push(`${file}: "${specifier}"`);
      // Only source files have layers; `package.json` and the like are data.
      else if (target.endsWith(".ts")) targets.push(target);
    }
    graph.set(file, [...new Set(targets)]);
  }
  return { graph, unresolved };
}

/** Tarjan's strongly connected components; those of more than one file, or a file importing itself, are cycles. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)!.includes(file)) found.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

const files = sourceFiles("src");
const { graph, unresolved } = importGraph(files);

describe("the source's layers (edge → objects → conversation core → features → tools → services → leaves)", () => {
  it("gives every source file a layer, and every row of the table a file", () => {
    expect(
      files.filter((file) => layerOf(file) === undefined),
      "these files match no row of the layer table in this test; add one",
    ).toEqual([]);
    expect(
      TABLE.filter(([pattern]) => !files.some((file) => matches(pattern, file))).map(([pattern]) => pattern),
      "these rows match no file; remove them",
    ).toEqual([]);
  });

  it("finds the file of every relative import", () => {
    expect(unresolved, "these imports name no file").toEqual([]);
  });

  it("has no import from a lower layer to a higher one", () => {
    const rank = (file: string) => LAYERS.indexOf(layerOf(file) ?? "leaves");
    const upward = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => rank(target) < rank(file))
        .map((target) => `${file} (${layerOf(file)}) imports ${target} (${layerOf(target)})`),
    );
    expect(upward, "these imports climb: move what they need down, or the importer up").toEqual([]);
  });

  it("has no import cycle", () => {
    expect(
      cycles(graph).map((cycle) => cycle.join(" ↔ ")),
      "these files import each other, directly or round about",
    ).toEqual([]);
  });
});
