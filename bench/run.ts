/**
 * `npm run bench`: builds the bot as `wrangler deploy` would, runs the bundle and its baselines (bench/bare) each in
 * a workerd of its own from a generated config (no Miniflare, whose Workers in front and behind are not on
 * Cloudflare) against local fakes, and writes every figure beside its baseline, all from this one run, to
 * BENCHMARKS.md. Settings come from BENCH_* environment variables (see BENCHMARKS.md).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { billableWork, buildMetered, steadyWork, withBudget } from "./billing.ts";
import { buildWithDeepImports, bytesByPackage, coldStarts } from "./bundle.ts";
import { type Fakes, KEY, payload, startFakes } from "./client.ts";
import { heapBot, heapNote } from "./heap.ts";
import { ADMIN_TOKEN, ackRows, botOverhead, drained, idleFloor, latencies } from "./latency.ts";
import { soakBot, soakNote } from "./memory.ts";
import { billing as billingSection, HEAP_HEADING, heapSection, render } from "./report.ts";
import { figures, roomDays, writeRoomDay } from "./room-day.ts";
import { mb } from "./stats.ts";
import { type Bundle, build, ROOT, startWorkerd, type Workerd } from "./workerd.ts";

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${process.env[name]} must be a positive number`);
  return value;
};
const SETTINGS = {
  webhooks: setting("BENCH_WEBHOOKS", 1000),
  senders: (process.env.BENCH_SENDERS ?? "1,20,50").split(",").map(Number),
  overhead: setting("BENCH_OVERHEAD", 200),
  turns: setting("BENCH_TURNS", 30),
  cycles: setting("BENCH_CYCLES", 3),
  conversations: setting("BENCH_CONVERSATIONS", 300),
  ttlSeconds: setting("BENCH_TTL_S", 10),
  coldStarts: setting("BENCH_COLD_STARTS", 5),
  heapConversations: setting("BENCH_HEAP_CONVERSATIONS", 200),
};
const BOT_CONFIG = join(ROOT, "wrangler.toml");
const BARE_CONFIG = join(ROOT, "bench/bare/wrangler.toml");
const LONG_TTL_MS = 3_600_000;
const BILLING_TTL_MS = 5_000;

// Local storage in memory, so the disk's speed does not enter the latency figures (bytes are counted all the same).
const scratch = mkdtempSync(join(process.env.BENCH_TMPDIR ?? "/dev/shm", "campfire-bench-"));

const botVars = (fakes: Fakes, ttlMs: number) => ({
  CAMPFIRE_URL: fakes.campfire,
  ANTHROPIC_BASE_URL: fakes.anthropic,
  ANTHROPIC_API_KEY: "sk-ant-bench",
  BOT_KEY_ASSISTANT: KEY,
  ADMIN_TOKEN,
  SESSION_TTL: `${ttlMs / 1000}s`,
});

async function resetFakes(fakes: Fakes): Promise<void> {
  await Promise.all([
    fetch(`${fakes.anthropic}/_fake/reset`, { method: "POST" }),
    fetch(`${fakes.campfire}/_fake/reset`, { method: "POST" }),
  ]);
}

/** Runs `use` with a fresh workerd for `script` (with its V8 inspector if asked), stopping it afterwards whatever happens. */
async function withWorkerd<T>(
  config: string,
  script: string,
  vars: Record<string, string>,
  use: (worker: Workerd) => Promise<T>,
  inspector = false,
): Promise<T> {
  const worker = await startWorkerd({
    config,
    script,
    vars,
    persistDir: mkdtempSync(join(scratch, "do-")),
    inspector,
  });
  try {
    return await use(worker);
  } finally {
    await worker.stop();
  }
}

const step = (text: string) => console.log(`[bench] ${text}`);

/** The heap per idle conversation, the bot's and the Note's workerd side by side (a heap reading is not a timing). */
async function heap(fakes: Fakes, bot: Bundle, bare: Bundle) {
  const count = SETTINGS.heapConversations;
  const ttlMs = SETTINGS.ttlSeconds * 1000;
  step(`heap per idle conversation: ${count} conversations of the bot and of the Note, TTL ${SETTINGS.ttlSeconds} s`);
  const [botRun, noteRun] = await Promise.all([
    withWorkerd(BOT_CONFIG, bot.script, botVars(fakes, ttlMs), (worker) => heapBot(worker, fakes, count, ttlMs), true),
    withWorkerd(BARE_CONFIG, bare.script, {}, (worker) => heapNote(worker, count, ttlMs), true),
  ]);
  return { bot: botRun, note: noteRun };
}

async function main() {
  const fakes = await startFakes();
  try {
    step("building the bot, the baselines and the variants with wrangler deploy --dry-run");
    const bot = await build(BOT_CONFIG, join(scratch, "bot"));
    const bare = await build(BARE_CONFIG, join(scratch, "bare"));
    const metered = await buildMetered(BOT_CONFIG, mkdtempSync(join(scratch, "metered-")));
    const deep = await buildWithDeepImports(join(scratch, "deep"));

    step(`cold starts, ${SETTINGS.coldStarts} of each`);
    const cold = {
      bot: await coldStarts(BOT_CONFIG, bot.script, botVars(fakes, LONG_TTL_MS), SETTINGS.coldStarts),
      bare: await coldStarts(BARE_CONFIG, bare.script, {}, SETTINGS.coldStarts),
    };

    step("ack latency and bot overhead");
    const { overhead, floor, acks } = await withWorkerd(
      BOT_CONFIG,
      bot.script,
      botVars(fakes, LONG_TTL_MS),
      (botWorker) =>
        withWorkerd(BARE_CONFIG, bare.script, {}, async (bareWorker) => {
          // Warm both up, so the first rows do not pay for compiling code paths.
          await latencies(
            (i) => ({ url: `${botWorker.url}/webhook/assistant`, body: payload(900_000 + i, "warm up") }),
            20,
            5,
          );
          await latencies(
            (i) => ({
              url: `${bareWorker.url}/note/${900_000 + i}`,
              body: "warm up",
              headers: { "x-ttl-ms": String(LONG_TTL_MS) },
            }),
            20,
            5,
          );
          await drained(botWorker);
          const overhead = await botOverhead(botWorker, fakes, SETTINGS.overhead);
          const floor = await idleFloor(bareWorker, SETTINGS.overhead);
          return {
            overhead,
            floor,
            acks: await ackRows(bareWorker, botWorker, SETTINGS.senders, SETTINGS.webhooks, 500, LONG_TTL_MS),
          };
        }),
    );

    step(`billable work: a new conversation and ${SETTINGS.turns} turns of a steady one`);
    await resetFakes(fakes);
    const billing = await withWorkerd(BOT_CONFIG, metered.script, botVars(fakes, BILLING_TTL_MS), (worker) =>
      billableWork(worker, fakes, SETTINGS.turns, BILLING_TTL_MS),
    );
    step(`billable work: ${SETTINGS.turns} turns of a steady conversation with all four budgets`);
    await resetFakes(fakes);
    const budgeted = await withWorkerd(
      BOT_CONFIG,
      metered.script,
      { ...botVars(fakes, BILLING_TTL_MS), BOTS: withBudget(BOT_CONFIG) },
      (worker) => steadyWork(worker, fakes, SETTINGS.turns),
    );

    step(`soak: ${SETTINGS.cycles} cycles × ${SETTINGS.conversations} conversations, TTL ${SETTINGS.ttlSeconds} s`);
    await resetFakes(fakes);
    const ttlMs = SETTINGS.ttlSeconds * 1000;
    const soak = {
      bot: await withWorkerd(BOT_CONFIG, bot.script, botVars(fakes, ttlMs), (worker) =>
        soakBot(worker, fakes, SETTINGS.cycles, SETTINGS.conversations, ttlMs),
      ),
      note: await withWorkerd(BARE_CONFIG, bare.script, {}, (worker) =>
        soakNote(worker, SETTINGS.cycles, SETTINGS.conversations, ttlMs),
      ),
    };

    await resetFakes(fakes);
    const heapRuns = await heap(fakes, bot, bare);

    step("a room's day: 3 bots × 3 seeds on a virtual clock");
    const roomDay = (await roomDays()).map(figures);

    const results = {
      acks,
      floor,
      overhead,
      billing: { ...billing, budgeted },
      soak,
      heap: heapRuns,
      cold,
      bundle: { bot, deep, packages: bytesByPackage(bot) },
      roomDay,
    };
    writeFileSync(join(ROOT, "BENCHMARKS.md"), render(results, header()));
    console.log(render(results, []));
    console.log("\nWritten to BENCHMARKS.md");
  } finally {
    fakes.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function header(): string[] {
  const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${mb(totalmem())} RAM, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  const settings = Object.entries(SETTINGS)
    .map(([name, value]) => `${name} ${value}`)
    .join(", ");
  return [
    "# Benchmarks",
    "",
    "Reproduce with `npm run bench` (about six minutes on 2 cores; nothing leaves the machine). It builds the bot",
    "with `wrangler deploy --dry-run`, exactly the bundle a deploy uploads, and runs it in **workerd directly**, from",
    "a config the bench generates from wrangler.toml (no `wrangler dev` proxy, no Miniflare: Miniflare's entry",
    "Worker before every request and its outbound Worker behind every fetch() are not on Cloudflare, and their CPU",
    "and memory would be charged to the bot), against a fake Anthropic API and a fake Campfire (`test/fakes/`, in",
    "their own process). The baselines run the same way, each in a workerd of its own:",
    "`bench/bare/`'s Worker answers 204 at once (reference), and its `/note/:id` is the **durable floor** — a",
    "Worker that hands one row to a SQLite Durable Object, which stores it and sets an alarm (the alarm later",
    "deletes everything: the trivial object of the memory soak). Billable work is counted by `bench/bare/meter.ts`,",
    "wrapped around the bot's exports for that phase only; the bot's own `billing` log fields are shown beside it.",
    "Local storage is on tmpfs.",
    "",
    `Machine: ${machine}. Settings: ${settings}.`,
    "",
    "Settings (environment variables): `BENCH_WEBHOOKS` webhooks per server per ack row (1000), `BENCH_SENDERS`",
    "concurrent senders per row (1,20,50), `BENCH_OVERHEAD` sequential mentions for the overhead (200),",
    "`BENCH_TURNS` turns of the steady conversation (30), `BENCH_CYCLES` × `BENCH_CONVERSATIONS` for the soak",
    "(3 × 300), `BENCH_TTL_S` the soak's TTL (10), `BENCH_COLD_STARTS` fresh starts per Worker (5),",
    "`BENCH_HEAP_CONVERSATIONS` idle conversations for the heap rows (200, after a warm-up of three times as many;",
    "TTL as the soak's), `BENCH_TMPDIR` where storage goes (/dev/shm). `npm run bench -- heap` runs the heap rows alone.",
    "",
    "How to read it: one workerd runs the Worker and all its Durable Objects on one thread, beside the load",
    "generator and the fakes, so a conversation's answer competes with the next webhook's ack (the floor's object",
    "has no answer to write). The `1, idle` rows send one webhook at a time, each once the previous answer is",
    "posted: the ack path alone. On Cloudflare the webhook's Worker and each object run on their own; the ratio to",
    "the baseline is the figure that carries over, the milliseconds are this machine's. Counts of billable work",
    "carry over as they are. Memory comes in two figures. The JavaScript heap per idle conversation, read through",
    "workerd's V8 inspector, is what counts against a Cloudflare isolate's 128 MB: it carries over. The resident",
    "anonymous memory of the workerd process is what a self-hoster of workerd sees, beside the trivial object's:",
    "local workerd spends it on any live SQLite object before the bot's code adds anything, and its allocator",
    "(tcmalloc) keeps freed memory. Storage left behind is split into the evicted objects' own files and the whole",
    "folder, which also holds each namespace's alarm index and the registry's objects.",
    "",
  ];
}

/** `npm run bench -- billing`: the billable work per answered message alone (BENCH_TURNS turns), printed, not written. */
async function billingOnly(): Promise<void> {
  const fakes = await startFakes();
  try {
    const metered = await buildMetered(BOT_CONFIG, mkdtempSync(join(scratch, "metered-")));
    const vars = botVars(fakes, BILLING_TTL_MS);
    const { fresh, steady } = await withWorkerd(BOT_CONFIG, metered.script, vars, (worker) =>
      billableWork(worker, fakes, SETTINGS.turns, BILLING_TTL_MS),
    );
    await resetFakes(fakes);
    const budgeted = await withWorkerd(
      BOT_CONFIG,
      metered.script,
      { ...vars, BOTS: withBudget(BOT_CONFIG) },
      (worker) => steadyWork(worker, fakes, SETTINGS.turns),
    );
    console.log(billingSection(fresh, steady, budgeted).join("\n"));
  } finally {
    fakes.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `npm run bench -- heap`: the heap rows alone, written over their part of BENCHMARKS.md's memory section. */
async function heapAlone() {
  const fakes = await startFakes();
  try {
    step("building the bot and the baselines with wrangler deploy --dry-run");
    const bot = await build(BOT_CONFIG, join(scratch, "bot"));
    const bare = await build(BARE_CONFIG, join(scratch, "bare"));
    const section = heapSection(await heap(fakes, bot, bare)).join("\n");
    console.log(section);
    const path = join(ROOT, "BENCHMARKS.md");
    const text = readFileSync(path, "utf8");
    const start = text.indexOf(HEAP_HEADING);
    const end = start === -1 ? -1 : text.indexOf("\n#", start + HEAP_HEADING.length);
    if (start === -1 || end === -1)
      throw new Error(
        `BENCHMARKS.md has no "${HEAP_HEADING}" section: run the whole bench (npm run bench) to write it`,
      );
    writeFileSync(path, `${text.slice(0, start)}${section}${text.slice(end)}`);
    console.log("\n(its part of BENCHMARKS.md replaced)");
  } finally {
    fakes.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

// `npm run bench -- room-day`, `-- heap` or `-- billing`: that part alone; room-day and heap replace their section of
// BENCHMARKS.md, billing only prints its table.
if (process.argv[2] === "room-day") await writeRoomDay();
else if (process.argv[2] === "heap") await heapAlone();
else if (process.argv[2] === "billing") await billingOnly();
else if (process.argv[2] !== undefined)
  throw new Error(
    `npm run bench takes no argument, or "room-day", "heap" or "billing" for that part alone; got "${process.argv[2]}"`,
  );
else await main();
