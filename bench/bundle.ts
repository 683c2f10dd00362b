/**
 * What a deploy uploads: the bundle's raw and gzip size from `wrangler deploy --dry-run`, how much of it each
 * package is (esbuild's metafile), what deep SDK imports would save, and the Worker's cold start.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile } from "./stats.ts";
import { type Bundle, build, ROOT, startWorkerd } from "./workerd.ts";

interface Metafile {
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}

/** Bytes each package (or `src`) puts into the bundle, largest first. */
export function bytesByPackage(bundle: Bundle): [string, number][] {
  const meta = JSON.parse(readFileSync(bundle.metafile, "utf8")) as Metafile;
  const totals = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? (path.includes("src/") ? "src" : "other");
      totals.set(name, (totals.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/** The import change measured: the client and its errors from their own modules instead of the package root. */
export const DEEP_IMPORTS = [
  {
    file: "src/objects/claude.ts",
    from: 'import Anthropic from "@anthropic-ai/sdk";',
    to: 'import { Anthropic } from "@anthropic-ai/sdk/client";',
  },
  {
    file: "src/anthropic/failure.ts",
    from: 'import { APIConnectionError, APIConnectionTimeoutError, APIError } from "@anthropic-ai/sdk";',
    to: 'import { APIConnectionError, APIConnectionTimeoutError, APIError } from "@anthropic-ai/sdk/core/error";',
  },
];

/**
 * Builds a copy of the sources with `DEEP_IMPORTS` applied (src/ itself is left alone); null when a file no
 * longer has the import line it replaces.
 */
export async function buildWithDeepImports(outdir: string): Promise<Bundle | null> {
  const copy = mkdtempSync(join(tmpdir(), "campfire-bench-deep-"));
  try {
    cpSync(join(ROOT, "src"), join(copy, "src"), { recursive: true });
    for (const file of ["wrangler.toml", "package.json", "tsconfig.json", "worker-configuration.d.ts"])
      cpSync(join(ROOT, file), join(copy, file));
    // What wrangler.toml's [build] command and [assets] read, as they are: only src/ is changed.
    for (const dir of ["node_modules", "public", "scripts", "prompts"]) symlinkSync(join(ROOT, dir), join(copy, dir));
    for (const change of DEEP_IMPORTS) {
      const file = join(copy, change.file);
      const source = readFileSync(file, "utf8");
      if (!source.includes(change.from)) return null;
      writeFileSync(file, source.replace(change.from, change.to));
    }
    return await build(join(copy, "wrangler.toml"), outdir);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

export interface ColdStart {
  /** From starting workerd until it listens. */
  ready: number[];
  /** From listening to the first answer: the Worker's module evaluated, its first request served. */
  firstRequest: number[];
}

/** Starts `script` in a fresh workerd `times` times, one after another, timing each start and first request. */
export async function coldStarts(
  config: string,
  script: string,
  vars: Record<string, string>,
  times: number,
): Promise<ColdStart> {
  const result: ColdStart = { ready: [], firstRequest: [] };
  for (let i = 0; i < times; i++) {
    const persistDir = mkdtempSync(join(tmpdir(), "campfire-bench-cold-"));
    const started = performance.now();
    const worker = await startWorkerd({ config, script, vars, persistDir });
    const ready = performance.now();
    await fetch(`${worker.url}/health`).then((response) => response.arrayBuffer());
    result.firstRequest.push(performance.now() - ready);
    result.ready.push(ready - started);
    await worker.stop();
    rmSync(persistDir, { recursive: true, force: true });
  }
  return result;
}

export const median = (samples: number[]) => percentile(samples, 50);
