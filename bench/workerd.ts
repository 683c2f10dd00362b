/**
 * Builds a Worker the way `wrangler deploy` would and runs the built bundle in a workerd of its own, directly, from
 * a config generated here: no `wrangler dev` proxy and no Miniflare, the same path for the bot and its baselines.
 * Miniflare puts Workers of its own before every request (its entry Worker) and behind every outgoing fetch (its
 * outbound interceptor); neither exists on Cloudflare, and the bench would charge their CPU and memory to the bot.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { promisify } from "node:util";
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
  const args = [
    "deploy",
    "--dry-run",
    "--config",
    config,
    "--outdir",
    outdir,
    "--metafile",
    metafile,
    ...(entry ? [entry] : []),
  ];
  const { stdout } = await run(join(ROOT, "node_modules/.bin/wrangler"), args, {
    cwd: ROOT,
    env: {
      ...process.env,
      PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH}`,
      WRANGLER_SEND_METRICS: "false",
      NO_COLOR: "1",
      CI: "true",
    },
  });
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
  /** The V8 inspector's port, when asked for with `inspector` and workerd reported one. */
  inspectorPort?: number;
  /** Every JSON line the Worker logged, in order. */
  logs: LogLine[];
  /** Kills workerd and waits for it to exit. */
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

/** The workerd binary the `workerd` package installed for this platform (Miniflare and wrangler run the same one). */
const WORKERD = (createRequire(import.meta.url)("workerd") as { default: string }).default;
const READY_TIMEOUT_MS = 20_000;

/** `value` as a Cap'n Proto text literal: quotes, backslashes and control characters escaped, the rest as is. */
const capnpText = (value: string) =>
  `"${value.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => (c === "\\" || c === '"' ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`))}"`;

/**
 * The workerd config (Cap'n Proto text) for `config`'s Worker: `script` and the other modules beside it as
 * `wrangler deploy --dry-run` wrote them, its vars plus `vars`, its Durable Objects on disk at `persistDir`,
 * fetch() straight to the network (private addresses allowed: the fakes are on 127.0.0.1), and one HTTP socket
 * on 127.0.0.1 on a port the kernel picks. `configDir` is where the config will be written; embeds are relative to it.
 */
export function workerdConfig(
  options: { config: string; script: string; vars?: Record<string, string>; persistDir: string },
  configDir: string,
): string {
  const config = readConfig(options.config);
  const name = config.name ?? "worker";
  const sqlite = new Set(config.migrations.flatMap((migration) => migration.new_sqlite_classes ?? []));
  const embed = (file: string) => `embed ${capnpText(relative(configDir, file))}`;
  // The entry first; a build that splits its code also wrote the chunks (and any Wasm) it imports into the same folder,
  // named as the bundle imports them.
  const outdir = dirname(options.script);
  const others = readdirSync(outdir, { recursive: true, encoding: "utf8" }).filter(
    (file) => /\.(m?js|wasm)$/.test(file) && file !== basename(options.script),
  );
  const modules = [basename(options.script), ...others].map((file) =>
    file.endsWith(".wasm")
      ? `(name = ${capnpText(file)}, wasm = ${embed(join(outdir, file))})`
      : `(name = ${capnpText(file)}, esModule = ${embed(join(outdir, file))})`,
  );
  const bindings = [
    ...Object.entries({ ...config.vars, ...options.vars }).map(([key, value]) =>
      typeof value === "string"
        ? `(name = ${capnpText(key)}, text = ${capnpText(value)})`
        : `(name = ${capnpText(key)}, json = ${capnpText(JSON.stringify(value))})`,
    ),
    ...config.durable_objects.bindings.map(
      (binding) => `(name = ${capnpText(binding.name)}, durableObjectNamespace = ${capnpText(binding.class_name)})`,
    ),
  ];
  const namespaces = config.durable_objects.bindings.map(
    (binding) =>
      `(className = ${capnpText(binding.class_name)}, uniqueKey = ${capnpText(`${name}-${binding.class_name}`)}, enableSql = ${sqlite.has(binding.class_name)})`,
  );
  const list = (items: string[]) => (items.length === 0 ? "[]" : `[\n    ${items.join(",\n    ")},\n  ]`);
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "worker", worker = .worker),
    (name = "storage", disk = (path = ${capnpText(options.persistDir)}, writable = true)),
    (name = "network", network = (allow = ["public", "private"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "worker")],
  # Each console.log as one JSON line on stdout, its text in "message".
  logging = (structuredLogging = true),
);

const worker :Workerd.Worker = (
  modules = ${list(modules)},
  compatibilityDate = ${capnpText(config.compatibility_date!)},
  compatibilityFlags = ${list(config.compatibility_flags.map(capnpText))},
  bindings = ${list(bindings)},
  durableObjectNamespaces = ${list(namespaces)},
  durableObjectStorage = (localDisk = "storage"),
  globalOutbound = "network",
);
`;
}

/**
 * Runs `script` in a fresh workerd with the bindings `config` (a wrangler.toml) declares — Durable Objects
 * (SQLite when a migration says so) and vars — plus `vars`, storing objects under `persistDir`; with `inspector`,
 * also the V8 inspector on 127.0.0.1 on a port the kernel picks.
 */
export async function startWorkerd(options: {
  config: string;
  script: string;
  vars?: Record<string, string>;
  persistDir: string;
  inspector?: boolean;
}): Promise<Workerd> {
  const configDir = mkdtempSync(join(tmpdir(), "campfire-bench-workerd-"));
  const configFile = join(configDir, "config.capnp");
  writeFileSync(configFile, workerdConfig(options, configDir));
  mkdirSync(options.persistDir, { recursive: true });
  // --experimental only permits flags that have no default-on date yet (Miniflare passes it too); fd 3 is where
  // workerd reports the port it bound. TZ as on Cloudflare, where Workers run in UTC.
  const inspector = options.inspector ? ["--inspector-addr=127.0.0.1:0"] : [];
  const child = spawn(WORKERD, ["serve", "--experimental", "--control-fd=3", ...inspector, configFile], {
    stdio: ["ignore", "pipe", "pipe", "pipe"],
    env: { ...process.env, TZ: "UTC" },
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stopping = false;
  const stderr: string[] = [];
  const tail = () => stderr.slice(-40).join("\n");
  const logs: LogLine[] = [];
  const read = (stream: Readable, keep?: (line: string) => void) =>
    createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
      keep?.(line);
      const message = structuredMessage(line);
      // Only the Worker's own JSON lines; workerd's other output is not ours to parse.
      if (!message?.startsWith("{")) return;
      try {
        const parsed: unknown = JSON.parse(message);
        if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) logs.push(parsed as LogLine);
      } catch {
        // A line that only looked like JSON.
      }
    });
  read(child.stdout!);
  read(child.stderr!, (line) => {
    stderr.push(line);
    if (stderr.length > 200) stderr.splice(0, 100);
  });
  const stop = async () => {
    stopping = true;
    child.kill("SIGKILL");
    await exited;
    rmSync(configDir, { recursive: true, force: true });
  };
  let port: number;
  let inspectorPort: number | undefined;
  try {
    port = await listening(child, exited, READY_TIMEOUT_MS, (inspector) => {
      inspectorPort = inspector;
    });
  } catch (error) {
    await stop();
    throw new Error(`workerd for ${options.script} ${(error as Error).message}; its stderr ended with:\n${tail()}`);
  }
  void exited.then(() => {
    if (!stopping)
      console.error(
        `[bench] workerd for ${options.script} exited unexpectedly (code ${child.exitCode}, signal ${child.signalCode}); its stderr ended with:\n${tail()}`,
      );
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    persistDir: options.persistDir,
    // workerd reports the inspector before the HTTP socket; a getter all the same, in case a later one does not.
    get inspectorPort() {
      return inspectorPort;
    },
    logs,
    stop,
  };
}

/** The `message` of one structured log line of workerd's, or undefined for a line that is not one. */
function structuredMessage(line: string): string | undefined {
  try {
    const parsed = JSON.parse(line) as { message?: unknown };
    return typeof parsed === "object" && parsed !== null && typeof parsed.message === "string"
      ? parsed.message
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The port of the "http" socket, from workerd's `listen` event on fd 3; rejects if workerd exits first or takes too
 * long. The inspector's port (`listen-inspector`) goes to `onInspector` whenever it comes.
 */
function listening(
  child: ChildProcess,
  exited: Promise<void>,
  timeoutMs: number,
  onInspector: (port: number) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not listen within ${timeoutMs / 1000} s`)), timeoutMs);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before listening (code ${child.exitCode}, signal ${child.signalCode})`));
    });
    createInterface({ input: child.stdio[3] as Readable }).on("line", (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; socket?: string; port?: number };
        if (event.event === "listen-inspector" && typeof event.port === "number") onInspector(event.port);
        if (event.event === "listen" && event.socket === "http" && typeof event.port === "number") {
          clearTimeout(timer);
          resolve(event.port);
        }
      } catch {
        // Not a control message of ours.
      }
    });
  });
}

/**
 * Resident anonymous memory (heap, V8, SQLite caches) of one workerd process. Anonymous, because VmRSS would
 * also count the SQLite files workerd maps, which live on tmpfs here.
 */
export function rssAnon(pid: number): number {
  return Number(/RssAnon:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
}
