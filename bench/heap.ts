/**
 * The JavaScript heap per idle conversation, read from outside through workerd's V8 inspector: what counts
 * against a Cloudflare isolate's 128 MB, unlike the process's resident memory (workerd's allocator and per-object
 * SQLite). For the bot and for bench/bare's Note, each in a workerd of its own: a warm-up of three times as many
 * (so code V8 compiles and optimizes for the first ones is not charged to them), then the heap with none in memory,
 * with `count` conversations answered and idle, and once their TTL has passed, their alarms have deleted them and
 * workerd has let go of their instances.
 */
import { type Fakes, getJson, payload, sleep, waitForRooms } from "./client.ts";
import { type HeapUsage, Inspector } from "./inspector.ts";
import { latencies } from "./latency.ts";
import type { Workerd } from "./workerd.ts";

/** The bench's generated workerd config names the Worker's service "worker" (bench/workerd.ts). */
const SERVICE = "worker";
const SENDERS = 50;
/**
 * workerd drops an idle object's instance 10 s after its last request or event, as Cloudflare hibernates one
 * (src/workerd/server/server.c++, `handleShutdown`): the idle reading must fall inside that, the others after it.
 */
const IN_MEMORY_MS = 10_000;
const LET_GO_MS = IN_MEMORY_MS + 2_000;
/** Fewer warm-up conversations left a measured round still paying for code V8 optimized during it. */
const WARM_UP_ROUNDS = 3;

export type HeapRun =
  | {
      ok: true;
      count: number;
      /** How many conversations ran and were let go before `rest`. */
      warmUp: number;
      /** Warmed up, none in memory. */
      rest: HeapUsage;
      /** With the conversations answered and idle, still in memory; `alive` of them not yet evicted by their TTL. */
      idle: HeapUsage;
      alive: number;
      /** Once all were evicted and out of memory. */
      after: HeapUsage;
    }
  | { ok: false; error: string };

/** How one kind of conversation is started and how its end shows in the Worker's logs. */
interface Lifecycle {
  /** Starts one conversation per id and resolves once each is answered (idle). */
  start(ids: number[]): Promise<void>;
  /** How many have been evicted so far. */
  evicted(): number;
  /** A request the Worker answers cheaply, to let workerd run V8's garbage collection task. */
  poke(): Promise<unknown>;
}

async function heapRun(worker: Workerd, lifecycle: Lifecycle, count: number, ttlMs: number): Promise<HeapRun> {
  if (worker.inspectorPort === undefined)
    return { ok: false, error: "workerd reported no inspector port (--inspector-addr did not bind)" };
  let inspector: Inspector | undefined;
  try {
    inspector = await Inspector.connect(worker.inspectorPort, SERVICE);
    const read = () => inspector!.heapAfterGc(lifecycle.poke);
    // Until `total` were evicted, then until workerd has dropped their instances (and those of the objects they told).
    const goneFromMemory = async (total: number) => {
      const deadline = Date.now() + ttlMs + 60_000;
      while (lifecycle.evicted() < total) {
        if (Date.now() > deadline)
          throw new Error(`only ${lifecycle.evicted()} of ${total} were evicted a minute after their TTL`);
        await sleep(250);
      }
      await sleep(LET_GO_MS);
    };
    const warmUp = WARM_UP_ROUNDS * count;
    const ids = (first: number, n: number) => Array.from({ length: n }, (_, i) => first + i);
    await lifecycle.start(ids(3_000_000, warmUp));
    await goneFromMemory(warmUp);
    const rest = await read();
    const started = Date.now();
    await lifecycle.start(ids(3_000_000 + warmUp, count));
    const alive = count - (lifecycle.evicted() - warmUp);
    const idle = await read();
    const took = Date.now() - started;
    if (took >= IN_MEMORY_MS)
      throw new Error(
        `starting ${count} conversations and reading the heap took ${(took / 1000).toFixed(1)} s, longer than workerd keeps an idle object in memory (${IN_MEMORY_MS / 1000} s): lower BENCH_HEAP_CONVERSATIONS`,
      );
    await goneFromMemory(warmUp + count);
    return { ok: true, count, warmUp, rest, idle, alive, after: await read() };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    inspector?.close();
  }
}

/** The bot: one mention per room, answered, left idle until its TTL evicts it. */
export function heapBot(bot: Workerd, fakes: Fakes, count: number, ttlMs: number): Promise<HeapRun> {
  return heapRun(
    bot,
    {
      async start(rooms) {
        await latencies(
          (i) => ({ url: `${bot.url}/webhook/assistant`, body: payload(rooms[i]!, "heap") }),
          rooms.length,
          SENDERS,
        );
        await waitForRooms(fakes.campfire, rooms, 120_000);
      },
      evicted: () => bot.logs.filter((line) => line.event === "conversation.evicted").length,
      poke: () => getJson(`${bot.url}/health`),
    },
    count,
    ttlMs,
  );
}

/** The trivial object: one row and one alarm per note, its alarm deleting everything. */
export function heapNote(bare: Workerd, count: number, ttlMs: number): Promise<HeapRun> {
  return heapRun(
    bare,
    {
      async start(ids) {
        const headers = { "x-ttl-ms": String(ttlMs) };
        await latencies(
          (i) => ({ url: `${bare.url}/note/${ids[i]}`, body: "a message the size of a question", headers }),
          ids.length,
          SENDERS,
        );
      },
      evicted: () => bare.logs.filter((line) => line.event === "note.alarm").length,
      poke: () => fetch(bare.url).then((response) => response.arrayBuffer()),
    },
    count,
    ttlMs,
  );
}

/** Bytes of JavaScript heap per conversation: with them idle at the margin, and left behind once evicted. */
export type HeapFigures = Extract<HeapRun, { ok: true }>;

export function perIdleConversation(run: HeapFigures) {
  return {
    idle: (run.idle.used - run.rest.used) / run.alive,
    idleEmbedder: (run.idle.embedder - run.rest.embedder) / run.alive,
    left: (run.after.used - run.rest.used) / run.count,
  };
}
