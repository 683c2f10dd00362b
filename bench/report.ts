/** BENCHMARKS.md from one run's results: each figure beside its baseline, prices stated. */

import type { Work } from "./billing.ts";
import { type ColdStart, DEEP_IMPORTS, median } from "./bundle.ts";
import { type HeapFigures, type HeapRun, perIdleConversation } from "./heap.ts";
import type { AckRow, IdleFloor, Overhead } from "./latency.ts";
import { perConversation, type Soak } from "./memory.ts";
import { CLOUDFLARE, claudeCost, PRICES_READ, SONNET } from "./prices.ts";
import { type DayFigures, roomDaySection } from "./room-day.ts";
import { kb, mb, ms, percentile, table } from "./stats.ts";
import type { Bundle } from "./workerd.ts";

export interface Results {
  acks: AckRow[];
  /** The floor one note at a time, beside the overhead's one mention at a time: acks alone, and alarm start. */
  floor: IdleFloor;
  overhead: Overhead;
  /** `budgeted`: the steady conversation again, its bot held to all four budgets. */
  billing: { fresh: Work; steady: Work; budgeted: Work };
  soak: { bot: Soak; note: Soak };
  heap: Heap;
  bundle: { bot: Bundle; deep: Bundle | null; packages: [string, number][] };
  cold: { bot: ColdStart; bare: ColdStart };
  roomDay: DayFigures[];
}

type Heap = { bot: HeapRun; note: HeapRun };

const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "n/a");
const usd = (value: number) => `$${value.toFixed(value < 1 ? 4 : 2)}`;
const per = (value: number, work: Work) => (value / work.answered).toFixed(1);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
/** A series' p50 and p99 as two table cells. */
const spread = (samples: number[]) => [ms(percentile(samples, 50)), ms(percentile(samples, 99))];
const target = (value: number, limit: number) => `${x(value)} ${value <= limit ? "✓" : "✗"} (target ≤ ${limit}×)`;

/** The ack table: first the ack path alone (the overhead's mentions beside the floor one note at a time), then each sender count. */
function acks(rows: AckRow[], idleBot: number[], idleFloor: number[]): string {
  const lines: (string | number)[][] = [];
  const idleRatio = (p: number) => x(percentile(idleBot, p) / percentile(idleFloor, p));
  lines.push(
    ["1, idle", "**floor**: Worker → DO row + alarm, one at a time", ...spread(idleFloor)],
    ["1, idle", "bot, each once the previous answer is posted", ...spread(idleBot)],
    ["1, idle", "**bot ÷ floor**, the ack path alone", idleRatio(50), idleRatio(99)],
  );
  for (const row of rows) {
    for (const [name, samples] of [
      ["bare Worker, 204 (reference)", row.bare],
      ["**floor**: Worker → DO row + alarm", row.floor],
      ["bot", row.bot],
    ] as const) {
      lines.push([row.senders, name, ...spread(samples)]);
    }
    const p50 = percentile(row.bot, 50) / percentile(row.floor, 50);
    const p99 = percentile(row.bot, 99) / percentile(row.floor, 99);
    lines.push([
      row.senders,
      "**bot ÷ floor**",
      row.senders === 1 ? target(p50, 1.5) : x(p50),
      row.senders === 1 ? x(p99) : target(p99, 2),
    ]);
  }
  return table(["senders", "server", "p50", "p99"], lines);
}

/** Per answered message: the meter's counts, the bot's own `billing` fields, and what 1 M such messages cost. */
export function billing(fresh: Work, steady: Work, budgeted: Work): string[] {
  const loggedCell = (work: Work, field: "doRequests" | "rowsRead" | "rowsWritten" | "subrequests") =>
    work.logged ? (work.logged[field] / Math.max(1, work.logged.answered)).toFixed(1) : "n/a";
  const rows = (label: string, value: (w: Work) => string) => [label, value(steady), value(budgeted), value(fresh)];
  const billedWrites = (w: Work) => (w.meter.rowsWritten + w.meter.alarmsSet) / w.answered;
  const counts = table(
    [
      "per answered message",
      "steady conversation",
      "steady, with all four budgets",
      "new conversation (incl. eviction)",
    ],
    [
      rows("Worker requests (webhooks)", (w) => per(w.meter.workerRequests, w)),
      rows(
        "DO requests: RPC calls + alarm runs",
        (w) => `${per(w.meter.doRequests, w)} (of which alarm runs ${per(w.meter.alarmRuns, w)})`,
      ),
      rows("↳ bot's own `billing` log fields", (w) => loggedCell(w, "doRequests")),
      rows("SQLite rows read", (w) => per(w.meter.rowsRead, w)),
      rows("↳ bot's own `billing` log fields", (w) => loggedCell(w, "rowsRead")),
      rows("SQLite rows written", (w) => per(w.meter.rowsWritten, w)),
      rows("↳ bot's own `billing` log fields", (w) => loggedCell(w, "rowsWritten")),
      rows("alarms set (each billed as a row written)", (w) => per(w.meter.alarmsSet, w)),
      rows("billed writes: rows written + alarms set", (w) => billedWrites(w).toFixed(1)),
      rows(
        "subrequests: Anthropic + Campfire (seen by the fakes)",
        (w) =>
          `${per(w.subrequests.anthropic + w.subrequests.campfire, w)} (${per(w.subrequests.anthropic, w)} + ${per(w.subrequests.campfire, w)})`,
      ),
      rows("↳ bot's own `billing` log fields", (w) => loggedCell(w, "subrequests")),
      rows("alarm wall time, total (DO duration)", (w) => ms(sum(w.meter.alarmMs) / w.answered)),
      rows("workerd CPU, whole process (upper bound)", (w) => ms(w.cpuMs / w.answered)),
    ],
  );
  const cost = (w: Work) => {
    const m = 1e6 / w.answered;
    const parts = {
      workers: w.meter.workerRequests * m * CLOUDFLARE.workerRequest + w.cpuMs * m * CLOUDFLARE.workerCpuMs,
      doRequests: w.meter.doRequests * m * CLOUDFLARE.doRequest,
      duration: (sum(w.meter.alarmMs) / 1000) * CLOUDFLARE.doMemoryGb * m * CLOUDFLARE.doGbSecond,
      rows:
        w.meter.rowsRead * m * CLOUDFLARE.rowRead +
        (w.meter.rowsWritten + w.meter.alarmsSet) * m * CLOUDFLARE.rowWritten,
    };
    return {
      ...parts,
      cloudflare: parts.workers + parts.doRequests + parts.duration + parts.rows,
      claude: claudeCost(w.usage) * m,
    };
  };
  const [s, b, f] = [cost(steady), cost(budgeted), cost(fresh)];
  const costs = table(
    ["1 M answered messages", "steady conversation", "steady, with all four budgets", "new conversation"],
    [
      ["Workers: requests + CPU (CPU at the upper bound above)", usd(s.workers), usd(b.workers), usd(f.workers)],
      ["Durable Objects: requests", usd(s.doRequests), usd(b.doRequests), usd(f.doRequests)],
      ["Durable Objects: duration (alarm wall time × 128 MB)", usd(s.duration), usd(b.duration), usd(f.duration)],
      ["SQLite rows read + written (alarms as writes)", usd(s.rows), usd(b.rows), usd(f.rows)],
      ["**Cloudflare total**", `**${usd(s.cloudflare)}**`, `**${usd(b.cloudflare)}**`, `**${usd(f.cloudflare)}**`],
      ["Claude tokens of the same turns (fake's usage × Sonnet prices)", usd(s.claude), usd(b.claude), usd(f.claude)],
      ["Cloudflare ÷ Claude", ...[s, b, f].map((c) => `${((100 * c.cloudflare) / c.claude).toFixed(2)} %`)],
    ],
  );
  const budgetRequests = budgeted.meter.doRequests / budgeted.answered;
  const budgetWrites = billedWrites(budgeted);
  // Handing the model call to a stateless Worker: the object no longer waits on the model, but the answer comes
  // back as one more DO request (a service-binding call itself is not billed as a Worker request).
  const gbSecondPerSecond = CLOUDFLARE.doMemoryGb * CLOUDFLARE.doGbSecond;
  const breakEven = CLOUDFLARE.doRequest / gbSecondPerSecond;
  const modelMs = median(steady.claudeMs);
  const alarms = steady.meter.alarmMs;
  return [
    counts,
    "",
    `**A budget on the hot path.** A steady message of a bot held to all four budgets costs ${budgetRequests.toFixed(1)} DO requests` +
      ` ${budgetRequests <= 3 ? "✓" : "✗"} (target ≤ 3) and ${budgetWrites.toFixed(1)} billed writes ${budgetWrites <= 12 ? "✓" : "✗"} (target ≤ 12),` +
      ` beside ${(steady.meter.doRequests / steady.answered).toFixed(1)} and ${billedWrites(steady).toFixed(1)} without one: the turn's one request to` +
      " the bot's budget object reserves its estimate and settles the previous turn, one upsert per budget's counter.",
    "",
    costs,
    "",
    `Alarm runs of the steady conversation hold their object p50 ${ms(percentile(alarms, 50))}, p99 ${ms(percentile(alarms, 99))}` +
      ` (${(alarms.length / steady.answered).toFixed(1)} runs per answered message); the fake model's share is p50 ${ms(modelMs)}.`,
    `**Stateless model call, on paper.** While the object awaits Claude it is billed ${usd(gbSecondPerSecond * 1e6)} per million` +
      ` object-seconds; a stateless Worker waiting on the same call is billed only its CPU. Handing the call over costs one more` +
      ` DO request to bring the answer back (${usd(CLOUDFLARE.doRequest * 1e6)}/M), so it pays once the model takes more than` +
      ` **${ms(breakEven * 1000)}** (${ms(((CLOUDFLARE.doRequest + CLOUDFLARE.workerRequest) / gbSecondPerSecond) * 1000)} if it were billed as a Worker request too).` +
      ` At the bench's turn lengths (model ${ms(modelMs)}) it would not; at real Sonnet answers of 2–20 s it saves` +
      ` ${usd(2 * gbSecondPerSecond * 1e6 - CLOUDFLARE.doRequest * 1e6)}–${usd(20 * gbSecondPerSecond * 1e6 - CLOUDFLARE.doRequest * 1e6)} per million messages.`,
  ];
}

export const HEAP_HEADING = "### JavaScript heap per idle conversation: the figure that carries over";
/** What Cloudflare allows one isolate. */
const ISOLATE_LIMIT = 128 * 1024 * 1024;
const kb1 = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const grouped = (value: number) => Math.floor(value).toLocaleString("en-US");

/** The heap rows: each isolate's readings, then per conversation, bot beside the Note; a run that failed says why. */
export function heapSection(heap: Heap): string[] {
  const { bot, note } = heap;
  const cell = (run: HeapRun, value: (figures: HeapFigures) => string) => (run.ok ? value(run) : "n/a (below)");
  const both = (value: (figures: HeapFigures) => string) => [cell(bot, value), cell(note, value)];
  const margin = (run: HeapFigures) => perIdleConversation(run).idle;
  const ran = bot.ok ? bot : note.ok ? note : undefined;
  const lines = [
    HEAP_HEADING,
    "",
    table(
      ["JavaScript heap of the isolate, after a full collection", "bot", "baseline: Note", "bot ÷ Note"],
      [
        [
          `at rest: ${ran ? grouped(ran.warmUp) : "n/a"} conversations run and let go, none in memory`,
          ...both((r) => mb(r.rest.used)),
          "",
        ],
        [
          `${ran?.count ?? "n/a"} conversations answered and idle, in memory (of them not yet evicted by their TTL, bot / Note: ${both((r) => String(r.alive)).join(" / ")})`,
          ...both((r) => mb(r.idle.used)),
          "",
        ],
        ["once their TTL evicted them and workerd let go of them", ...both((r) => mb(r.after.used)), ""],
        [
          "**heap at the margin per idle conversation**",
          cell(bot, (r) => `**${kb1(margin(r))}**`),
          cell(note, (r) => kb1(margin(r))),
          bot.ok && note.ok ? x(margin(bot) / margin(note)) : "n/a",
        ],
        [
          "↳ beside it, workerd's C++ objects that V8 traces (cppgc), per idle conversation",
          ...both((r) => kb1(perIdleConversation(r).idleEmbedder)),
          "",
        ],
        ["heap left behind per conversation once evicted", ...both((r) => kb1(perIdleConversation(r).left)), ""],
      ],
    ),
    "",
  ];
  for (const [name, run] of [
    ["bot", bot],
    ["Note", note],
  ] as const)
    if (!run.ok) lines.push(`The ${name}'s heap could not be read: ${run.error}.`, "");
  const perIsolate = (run: HeapFigures, perConversation: number) => (ISOLATE_LIMIT - run.rest.used) / perConversation;
  if (bot.ok) {
    const withCpp = margin(bot) + perIdleConversation(bot).idleEmbedder;
    lines.push(
      "**Per isolate.** On Cloudflare what counts against an isolate's 128 MB is this heap, and the objects of one" +
        ` class can share an isolate. Beside the bot's own ${mb(bot.rest.used)} at rest, 128 MB hold about` +
        ` **${grouped(perIsolate(bot, margin(bot)))} idle conversations** in one isolate` +
        ` (${grouped(perIsolate(bot, withCpp))} counting workerd's traced C++ objects as well` +
        (note.ok ? `; the trivial object: ${grouped(perIsolate(note, margin(note)))}` : "") +
        "). An idle conversation is in memory only until it hibernates, 10 s after its last request or alarm" +
        " (workerd drops it on the same schedule), and costs no heap from then until its next message or its TTL's" +
        " alarm: these are conversations answered within the same 10 s. Read from outside through workerd's V8" +
        " inspector — `Runtime.discardConsoleEntries` (an attached inspector keeps the last thousand logged lines" +
        " alive, which is not the bot's memory), `HeapProfiler.collectGarbage` twice, `Runtime.getHeapUsage` — each" +
        " in a workerd of its own; a conversation is one mention answered, and the bot's figures include the registry" +
        " shards its conversations' births wake.",
      "",
    );
  }
  return lines;
}

function memory(bot: Soak, note: Soak): string[] {
  const [b, n] = [perConversation(bot), perConversation(note)];
  const cycles = bot.active.map((_, i) => [
    i + 1,
    mb(bot.active[i]!),
    mb(bot.after[i]!),
    mb(note.active[i]!),
    mb(note.after[i]!),
  ]);
  return [
    "Resident anonymous memory of the workerd process is what a self-hoster of workerd sees. Most of it is" +
      " workerd's allocator (tcmalloc keeps the pages it frees) and each live object's SQLite, which the trivial" +
      " object pays as well; neither is the isolate's heap, the figure above that Cloudflare counts.",
    "",
    table(
      ["cycle", "bot: active", "bot: after eviction", "Note: active", "Note: after eviction"],
      [["rest", mb(bot.rest), "", mb(note.rest), ""], ...cycles],
    ),
    "",
    table(
      ["per conversation", "bot", "baseline: Note", "bot ÷ Note"],
      [
        ["resident memory per active conversation", kb(b.active), kb(n.active), x(b.active / n.active)],
        [
          "resident memory retained per conversation run, after all were evicted",
          kb(b.retained),
          kb(n.retained),
          x(b.retained / n.retained),
        ],
        [
          "resident growth per conversation in the last cycle (after eviction)",
          kb(b.growth),
          kb(n.growth),
          x(b.growth / n.growth),
        ],
        [
          `storage left per evicted conversation: its object's files (${bot.storage.objects.files} / ${note.storage.objects.files} files)`,
          `${b.objectStorage.toFixed(0)} bytes`,
          `${n.objectStorage.toFixed(0)} bytes`,
          target(b.objectStorage / n.objectStorage, 1.2),
        ],
        [
          `↳ the whole storage folder, incl. the alarm index and the registry (${bot.storage.all.files} / ${note.storage.all.files} files)`,
          `${b.storage.toFixed(0)} bytes`,
          `${n.storage.toFixed(0)} bytes`,
          target(b.storage / n.storage, 1.2),
        ],
      ],
    ),
    "",
    // A self-hoster's month at 1,000 new conversations a day, from this run's slopes.
    `**Self-hosting workerd for months.** At the last cycle's slope, 1,000 new conversations a day would add up to` +
      ` ${mb(b.growth * 30_000)} of resident memory a month (the trivial object: ${mb(n.growth * 30_000)}) and leave` +
      ` ${mb(b.storage * 30_000)} of files on disk (${mb(n.storage * 30_000)}), though every evicted conversation has` +
      " deleted its rows: local workerd keeps an emptied object's SQLite file and the allocator keeps freed pages." +
      " The slope fell from cycle to cycle here, so this is an upper bound until a longer soak shows where it levels" +
      " off. Plan for a periodic workerd restart and for sweeping empty object files; on Cloudflare neither applies.",
  ];
}

function bundle(results: Results): string[] {
  const { bot, deep, packages } = results.bundle;
  const sdk = packages.find(([name]) => name === "@anthropic-ai/sdk")?.[1] ?? 0;
  return [
    table(
      ["bundle", "raw", "gzip"],
      [
        ["bot, as deployed (`wrangler deploy --dry-run`)", kb(bot.raw), kb(bot.gzip)],
        [
          "bot with deep SDK imports (below)",
          deep ? kb(deep.raw) : "n/a (import line changed)",
          deep ? kb(deep.gzip) : "n/a",
        ],
      ],
    ),
    "",
    `Largest parts of the raw bundle: ${packages
      .slice(0, 6)
      .map(([name, bytes]) => `${name} ${kb(bytes)}`)
      .join(", ")}; the SDK is ${((100 * sdk) / bot.raw).toFixed(0)} % of it.`,
    `The deep-import variant changes only these lines: ${DEEP_IMPORTS.map((change) => `${change.file}'s \`${change.from}\` to \`${change.to}\``).join("; ")}.`,
    "",
    table(
      [`cold start, median of ${results.cold.bot.ready.length}`, "bot", "baseline: bare Worker"],
      [
        ["new workerd until listening", ms(median(results.cold.bot.ready)), ms(median(results.cold.bare.ready))],
        [
          "first request (module evaluated, `/health` answered)",
          ms(median(results.cold.bot.firstRequest)),
          ms(median(results.cold.bare.firstRequest)),
        ],
      ],
    ),
  ];
}

export function render(results: Results, header: string[]): string {
  const { fresh, steady, budgeted } = results.billing;
  const o = results.overhead;
  return [
    ...header,
    "## Ack latency",
    "",
    acks(results.acks, results.overhead.ack, results.floor.ack),
    "",
    "## Bot overhead on an idle bot: webhook → reply posted, minus the model's time",
    "",
    table(
      ["", "p50", "p99"],
      [
        ["fake model time (subtracted)", ...spread(o.model)],
        ["bot overhead", ...spread(o.overhead)],
        ["↳ from the webhook to the turn's first Campfire request (👀 and room read)", ...spread(o.timeline.turnStart)],
        ["↳ baseline: from a webhook to the floor's alarm (due at once) running", ...spread(results.floor.alarmStart)],
        ["↳ from the webhook to the model request", ...spread(o.timeline.modelAsked)],
        ["↳ from the webhook to the reply in the room", ...spread(o.timeline.posted)],
      ],
    ),
    "",
    `## Billable work per answered message (steady: ${steady.answered} messages in one room; new: one message, then its eviction)`,
    "",
    ...billing(fresh, steady, budgeted),
    "",
    `Prices (read ${PRICES_READ}; ${CLOUDFLARE.source}; ${SONNET.source}): Workers $0.30/M requests, $0.02/M CPU ms;` +
      " Durable Objects $0.15/M requests, $12.50/M GB-s of duration (128 MB per object), SQLite $0.001/M rows read," +
      " $1.00/M rows written, $0.20/GB-month stored; subrequests are not billed. Sonnet $3/M input, $15/M output," +
      " $3.75/M 5-minute and $6/M 1-hour cache writes, $0.30/M cache reads. Monthly allowances are ignored: these are marginal costs.",
    "",
    ...roomDaySection(results.roomDay),
    "",
    "## Memory and storage",
    "",
    ...heapSection(results.heap),
    `### Resident memory and storage: what a self-hoster of workerd sees (soak of ${results.soak.bot.active.length} cycles × ${results.soak.bot.perCycle} conversations)`,
    "",
    ...memory(results.soak.bot, results.soak.note),
    "",
    "## Bundle and cold start",
    "",
    ...bundle(results),
    "",
  ].join("\n");
}
