import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = new URL("../..", import.meta.url).pathname;

/** A free loopback port: wrangler dev needs a fixed one so a restart comes back at the same address. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface DevServer {
  url: string;
  /** The folder holding the server's local Durable Object storage. */
  persistDir: string;
  /** The process group of wrangler and its workerd, for reading their memory. */
  pid(): number;
  /** Everything wrangler and the Worker printed, for assertions on logs and for failure reports. */
  output(): string;
  /** SIGKILL to wrangler and workerd together: no shutdown hook runs, as in a crash. */
  kill(): Promise<void>;
  /** Starts again on the same port and the same local storage. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs `wrangler dev` (the Worker, its Durable Objects, alarms and SQLite, all local) with `vars` on a
 * private port and a private storage folder, and waits until it answers.
 */
export async function startDevServer(
  vars: Record<string, string> | ((url: string) => Record<string, string>),
  options: { config?: string } = {},
): Promise<DevServer> {
  const port = await freePort();
  const persist = mkdtempSync(join(tmpdir(), "campfire-bot-e2e-"));
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let log = "";

  const launch = async () => {
    const args = [
      "dev",
      ...(options.config ? ["--config", options.config] : []),
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      persist,
      "--show-interactive-dev-session=false",
      "--inspector-port",
      String(await freePort()),
    ];
    for (const [name, value] of Object.entries(typeof vars === "function" ? vars(url) : vars))
      args.push("--var", `${name}:${value}`);
    // `detached` gives wrangler its own process group, so one signal reaches workerd too.
    child = spawn(join(ROOT, "node_modules/.bin/wrangler"), args, {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH}`,
        WRANGLER_SEND_METRICS: "false",
        NO_COLOR: "1",
        CI: "true",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk) => (log += chunk));
    child.stderr!.on("data", (chunk) => (log += chunk));
    await waitUntilUp(
      url,
      () => log,
      () => child?.exitCode,
    );
  };

  const signal = async (sig: NodeJS.Signals) => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    try {
      process.kill(-running.pid!, sig);
    } catch {
      // Already gone.
    }
    await exited;
  };

  await launch();
  return {
    url,
    persistDir: persist,
    pid: () => child!.pid!,
    output: () => log,
    kill: () => signal("SIGKILL"),
    restart: launch,
    async stop() {
      await signal("SIGTERM");
      rmSync(persist, { recursive: true, force: true });
    },
  };
}

async function waitUntilUp(
  url: string,
  output: () => string,
  exitCode: () => number | null | undefined,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exitCode() != null) throw new Error(`wrangler dev exited early:\n${output()}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`wrangler dev did not answer within 60 s:\n${output()}`);
}
