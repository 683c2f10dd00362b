/**
 * Builds a Worker the way `wrangler deploy` would and runs the built bundle in its own workerd through
 * Miniflare's API: no `wrangler dev` proxy in front, the same path for the bot and its baselines.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";

export const ROOT = new URL("..", import.meta.url).pathname;
const run = promisify(execFile);

export interface Bundle {
  /** The built entry module, as `wrangler deploy` would upload it. */
  script: string;
  /** esbuild's metafile for the build: which input put how many bytes into the bundle. */
  metafile: string;
  /** The upload size wrangler reports, in bytes. */
  raw: number;
  gzip: number;
}

/** `wrangler deploy --dry-run` of `config` (and `entry` instead of its `main`, if given) into `outdir`. */
export async function build(config: string, outdir: string, entry?: string): Promise<Bundle> {
  mkdirSync(outdir, { recursive: true });
  const metafile = join(outdir, "meta.json");
  const args = ["deploy", "--dry-run", "--config", config, "--outdir", outdir, "--metafile", metafile, ...(entry ? [entry] : [])];
  const { stdout } = await run(join(ROOT, "node_modules/.bin/wrangler"), args, { cwd: ROOT, env: { ...process.env, PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH}`, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CI: "true" } });
  const sizes = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(stdout);
  if (!sizes) throw new Error(`wrangler deploy --dry-run printed no "Total Upload" line; its output was:\n${stdout}`);
  const script = readdirSync(outdir).find((name) => /\.m?js$/.test(name));
  if (!script) throw new Error(`wrangler deploy --dry-run wrote no .js bundle into ${outdir}`);
  return { script: join(outdir, script), metafile, raw: Number(sizes[1]) * 1024, gzip: Number(sizes[2]) * 1024 };
}

/** One JSON log line a Worker printed, parsed. */
export type LogLine = Record<string, unknown> & { event?: string };

export interface Workerd {
  url: string;
  /** The workerd process, for reading its memory. */
  pid: number;
  persistDir: string;
  /** Every JSON line the Worker logged, in order. */
  logs: LogLine[];
  mf: Miniflare;
  stop(): Promise<void>;
}

/** The parts of a wrangler configuration the bench reads (wrangler's own type does not resolve here). */
interface WranglerConfig {
  name?: string;
  compatibility_date?: string;
  compatibility_flags: string[];
  vars: Record<string, unknown>;
  durable_objects: { bindings: { name: string; class_name: string }[] };
  migrations: { new_sqlite_classes?: string[] }[];
}

/** `config`'s bindings, read by wrangler itself so the bench sees exactly what a deploy would. */
export const readConfig = (config: string) => unstable_readConfig({ config }, { hideWarnings: true }) as WranglerConfig;

/** Processes whose parent is this one and whose name starts with "workerd". */
function workerdChildren(): Set<number> {
  const found = new Set<number>();
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))!;
      if (comm!.startsWith("workerd") && Number(rest!.split(" ")[1]) === process.pid) found.add(Number(pid));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/**
 * Runs `script` in a fresh workerd with the bindings `config` (a wrangler.toml) declares — Durable Objects
 * (SQLite when a migration says so) and vars — plus `vars`, storing objects under `persistDir`.
 */
export async function startWorkerd(options: { config: string; script: string; vars?: Record<string, string>; persistDir: string }): Promise<Workerd> {
  const config = readConfig(options.config);
  const name = config.name ?? "worker";
  const sqlite = new Set(config.migrations.flatMap((migration) => migration.new_sqlite_classes ?? []));
  const env: Record<string, { type: "durable-object"; worker: string; exportName: string } | { type: "json"; value: unknown } | { type: "text"; value: string }> = {};
  for (const [key, value] of Object.entries({ ...config.vars, ...options.vars })) env[key] = typeof value === "string" ? { type: "text", value } : { type: "json", value };
  for (const binding of config.durable_objects.bindings) env[binding.name] = { type: "durable-object", worker: name, exportName: binding.class_name };
  const exports = Object.fromEntries(
    config.durable_objects.bindings.map((binding) => [binding.class_name, { type: "durable-object" as const, storage: sqlite.has(binding.class_name) ? ("sqlite" as const) : ("legacy-kv" as const) }]),
  );
  const logs: LogLine[] = [];
  const before = workerdChildren();
  const mf = new Miniflare({
    workers: [
      {
        config: {
          name,
          compatibilityDate: config.compatibility_date!,
          compatibilityFlags: config.compatibility_flags,
          manifest: { mainModule: basename(options.script), modules: { [basename(options.script)]: { type: "esm", contents: readFileSync(options.script, "utf8") } } },
          env: env as never,
          exports,
        },
      },
    ],
    resourcePersistencePath: options.persistDir,
    enableDevRegistry: false,
    port: 0,
    handleStructuredLogs: ({ message }) => {
      // Only the Worker's own JSON lines; workerd's other output is not ours to parse.
      if (!message.startsWith("{")) return;
      try {
        logs.push(JSON.parse(message) as LogLine);
      } catch {
        // A line that only looked like JSON.
      }
    },
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  const started = [...workerdChildren()].filter((pid) => !before.has(pid));
  if (started.length !== 1) throw new Error(`expected one new workerd process for ${options.script}, found ${started.length}`);
  return { url, pid: started[0]!, persistDir: options.persistDir, logs, mf, stop: () => mf.dispose() };
}

/**
 * Resident anonymous memory (heap, V8, SQLite caches) of one workerd process. Anonymous, because VmRSS would
 * also count the SQLite files workerd maps, which live on tmpfs here.
 */
export function rssAnon(pid: number): number {
  return Number(/RssAnon:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
}
