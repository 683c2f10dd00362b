/**
 * `npm run bench`: measures the bot under `wrangler dev` against local fakes, each figure beside a baseline
 * taken in the same run, and writes the results to BENCHMARKS.md. See BENCHMARKS.md for what each figure means.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { type DevServer, startDevServer } from "../test/e2e/dev-server.ts";
import { kb, mb, ms, percentile, table } from "./stats.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const KEY = "4-GZfqGLxdULBM";
const ADMIN_TOKEN = "bench-admin";
const TTL_SECONDS = 20;
const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 2000);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 1000);

const sleep = (time: number) => new Promise((resolve) => setTimeout(resolve, time));
let nextMessageId = 1;

function payload(roomId: number, plain: string) {
  const id = nextMessageId++;
  return JSON.stringify({
    user: { id: 7, name: "Ada Lovelace" },
    room: { id: roomId, name: "Bench", path: `/rooms/${roomId}/${KEY}/messages` },
    message: { id, body: { html: `<div>${plain}</div>`, plain }, path: `/rooms/${roomId}/@${id}` },
  });
}

/** Starts the fakes in their own process, so the load generator and the fakes don't share an event loop. */
async function startFakes(): Promise<{ anthropic: string; campfire: string; stop: () => void }> {
  const child = spawn(join(ROOT, "node_modules/.bin/node"), [join(ROOT, "test/fakes/run.ts")], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve) => child.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString())));
  return { ...(JSON.parse(line) as { anthropic: string; campfire: string }), stop: () => child.kill("SIGTERM") };
}

/** POSTs `count` webhooks, `concurrency` at a time; returns each one's ack latency. */
async function ackLatencies(url: string, count: number, concurrency: number, rooms: number, firstRoom: number): Promise<number[]> {
  const latencies: number[] = [];
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < count) {
        const index = sent++;
        const body = payload(firstRoom + (index % rooms), `bench ack ${index}`);
        const started = performance.now();
        const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
        await response.arrayBuffer();
        latencies.push(performance.now() - started);
        if (response.status !== 204) throw new Error(`${url} answered ${response.status}`);
      }
    }),
  );
  return latencies;
}

/** Resident memory of the workerd processes under a wrangler dev process group. */
function workerdRss(server: DevServer): number {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(stat)!;
      const pgrp = Number(rest!.split(" ")[2]);
      if (pgrp === server.pid() && comm!.startsWith("workerd")) {
        total += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

function folderBytes(path: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
    files++;
  }
  return { bytes, files };
}

async function fakeJson<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

interface Posted {
  roomId: number;
  at: number;
}
interface Requested {
  at: number;
  ms?: number;
  body: unknown;
  usage?: { input_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number };
}

async function waitForRooms(campfire: string, rooms: number[], timeoutMs: number): Promise<Posted[]> {
  const wanted = new Set(rooms);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const posted = (await fakeJson<Posted[]>(`${campfire}/_fake/messages`)).filter((message) => wanted.has(message.roomId));
    if (new Set(posted.map((message) => message.roomId)).size === wanted.size) return posted;
    if (Date.now() > deadline) throw new Error(`only ${new Set(posted.map((m) => m.roomId)).size} of ${wanted.size} rooms answered`);
    await sleep(250);
  }
}

/** Waits until no conversation has a message waiting or a retry pending. */
async function drained(bot: DevServer): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const response = await fetch(`${bot.url}/metrics/sessions`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const { assistant } = ((await response.json()) as { bots: { assistant: { waiting: number; retrying: number } } }).bots;
    if (assistant.waiting === 0 && assistant.retrying === 0) return;
    if (Date.now() > deadline) throw new Error(`still ${assistant.waiting} waiting and ${assistant.retrying} retrying after 10 minutes`);
    await sleep(500);
  }
}

async function main() {
  const report: string[] = [];
  const say = (text: string) => {
    console.log(text);
    report.push(text);
  };
  const fakes = await startFakes();
  const vars = {
    CAMPFIRE_URL: fakes.campfire,
    ANTHROPIC_BASE_URL: fakes.anthropic,
    ANTHROPIC_API_KEY: "sk-ant-bench",
    BOT_KEY_ASSISTANT: KEY,
    ADMIN_TOKEN,
    SESSION_TTL: `${TTL_SECONDS}s`,
  };
  const bot = await startDevServer(vars);
  const bare = await startDevServer({}, { config: join(ROOT, "bench/bare/wrangler.toml") });
  try {
    // 3 and 4: memory and storage, first, while the bot's workerd is fresh.
    await ackLatencies(`${bot.url}/webhook/assistant`, 20, 5, 20, 900_000); // warm up code paths
    await sleep(TTL_SECONDS * 1000 + 5_000);
    const rest = workerdRss(bot);
    const bareRss = workerdRss(bare);
    const rooms = Array.from({ length: CONVERSATIONS }, (_, i) => 100_000 + i);
    await ackLatencies(`${bot.url}/webhook/assistant`, CONVERSATIONS, 50, CONVERSATIONS, 100_000);
    await waitForRooms(fakes.campfire, rooms, 120_000);
    const active = workerdRss(bot);
    await drained(bot);
    const sessions = await (await fetch(`${bot.url}/metrics/sessions`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
    const aliveNow = (sessions as { bots: { assistant: { alive: number } } }).bots.assistant.alive;
    await sleep(TTL_SECONDS * 1000 + 10_000);
    const after = workerdRss(bot);
    const sessionsAfter = (await (await fetch(`${bot.url}/metrics/sessions`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as {
      bots: { assistant: { alive: number; evictions: number } };
    };
    const storage = folderBytes(bot.persistDir);

    say(`## Memory (workerd resident set)\n`);
    say(
      table(
        ["state", "RSS", "note"],
        [
          ["bare Worker, idle (baseline)", mb(bareRss), "the same workerd running a Worker that only answers 204"],
          ["bot at rest", mb(rest), "after a warm-up and its TTL"],
          [`bot with ${CONVERSATIONS} active conversations`, mb(active), `${aliveNow} counted alive by /metrics/sessions`],
          [`bot ${TTL_SECONDS + 10} s after their TTL`, mb(after), `${sessionsAfter.bots.assistant.alive} alive, ${sessionsAfter.bots.assistant.evictions} evicted`],
        ],
      ),
    );
    say(`\nPer active conversation: **${kb((active - rest) / CONVERSATIONS)}**; after eviction: ${mb(after - rest)} above rest.\n`);
    say(`## Storage after eviction\n`);
    say(
      table(
        ["what", "value"],
        [
          ["local Durable Object storage after all conversations were evicted", `${kb(storage.bytes)} in ${storage.files} files`],
          ["per evicted conversation", `${(storage.bytes / (CONVERSATIONS + 20)).toFixed(0)} bytes`],
        ],
      ),
    );

    // 1: ack latency beside the bare Worker.
    say(`\n## Ack latency, ${WEBHOOKS} webhooks per row\n`);
    const rows: (string | number)[][] = [];
    for (const concurrency of [1, 50, 200]) {
      const baseline = await ackLatencies(`${bare.url}/webhook/assistant`, WEBHOOKS, concurrency, 500, 0);
      const measured = await ackLatencies(`${bot.url}/webhook/assistant`, WEBHOOKS, concurrency, 500, 200_000 + concurrency * 1_000);
      for (const [name, samples] of [["bare Worker (baseline)", baseline], ["bot", measured]] as const) {
        rows.push([concurrency, name, ms(percentile(samples, 50)), ms(percentile(samples, 90)), ms(percentile(samples, 99))]);
      }
      rows.push([concurrency, "**bot ÷ baseline**", ...[50, 90, 99].map((p) => `${(percentile(measured, p) / percentile(baseline, p)).toFixed(2)}×`)]);
    }
    say(table(["concurrent senders", "server", "p50", "p90", "p99"], rows));

    // The latency rows leave thousands of answers queued; measure overhead only once they are all posted.
    await drained(bot);

    // 2: bot overhead, webhook → reply posted, minus the fake model's own time.
    const overheadRooms = Array.from({ length: 200 }, (_, i) => 300_000 + i);
    const sentAt = new Map<number, number>();
    for (const roomId of overheadRooms) {
      sentAt.set(roomId, Date.now());
      await fetch(`${bot.url}/webhook/assistant`, { method: "POST", body: payload(roomId, `overhead room ${roomId}`) }).then((r) => r.arrayBuffer());
      await sleep(30);
    }
    const posted = await waitForRooms(fakes.campfire, overheadRooms, 60_000);
    const requests = await fakeJson<Requested[]>(`${fakes.anthropic}/_fake/requests`);
    const overheads: number[] = [];
    const modelTimes: number[] = [];
    for (const roomId of overheadRooms) {
      const request = requests.find((r) => JSON.stringify(r.body).includes(`overhead room ${roomId}`))!;
      const reply = posted.find((m) => m.roomId === roomId)!;
      modelTimes.push(request.ms ?? 0);
      overheads.push(reply.at - sentAt.get(roomId)! - (request.ms ?? 0));
    }
    say(`\n## Bot overhead: webhook → reply posted, minus the model's time (200 sequential mentions)\n`);
    say(
      table(
        ["", "p50", "p99"],
        [
          ["fake model time (baseline)", ms(percentile(modelTimes, 50)), ms(percentile(modelTimes, 99))],
          ["bot overhead", ms(percentile(overheads, 50)), ms(percentile(overheads, 99))],
        ],
      ),
    );

    // 5: cost growth over a 30-turn conversation.
    const costRoom = 400_000;
    for (let turn = 1; turn <= 30; turn++) {
      await fetch(`${bot.url}/webhook/assistant`, { method: "POST", body: payload(costRoom, `cost turn ${turn}: tell me something new`) }).then((r) => r.arrayBuffer());
      for (;;) {
        const count = (await fakeJson<Posted[]>(`${fakes.campfire}/_fake/messages?room=${costRoom}`)).length;
        if (count >= turn) break;
        await sleep(20);
      }
    }
    const usage = (await fakeJson<Requested[]>(`${fakes.anthropic}/_fake/requests`))
      .filter((r) => JSON.stringify(r.body).includes("cost turn 1:") && r.usage)
      .map((r) => r.usage!);
    const pick = [1, 2, 5, 10, 20, 30].filter((turn) => turn <= usage.length);
    say(`\n## Cost growth: tokens billed per turn over a 30-turn conversation\n`);
    say(
      table(
        ["turn", "input (uncached)", "cache read", "cache write", "total input", "× turn 1"],
        pick.map((turn) => {
          const u = usage[turn - 1]!;
          const total = u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
          const first = usage[0]!;
          return [turn, u.input_tokens, u.cache_read_input_tokens, u.cache_creation_input_tokens, total, `${(u.input_tokens / first.input_tokens).toFixed(1)}×`];
        }),
      ),
    );
  } finally {
    await Promise.all([bot.stop(), bare.stop()]);
    fakes.stop();
  }

  const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${mb(totalmem())} RAM, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  const header = [
    "# Benchmarks",
    "",
    "Reproduce with `npm run bench` (about five minutes; nothing leaves the machine). It starts the bot under",
    "`wrangler dev` with a fake Anthropic API and a fake Campfire (`test/fakes/`), and, as the baseline, a bare",
    "Worker on the same workerd that answers 204 at once (`bench/bare/`). Every figure below comes from one run.",
    "",
    `Machine: ${machine}.`,
    "",
  ];
  writeFileSync(join(ROOT, "BENCHMARKS.md"), [...header, ...report].join("\n") + "\n");
  console.log("\nWritten to BENCHMARKS.md");
}

await main();
