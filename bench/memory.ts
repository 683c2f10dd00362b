/**
 * The soak: cycles of conversations that are answered and then expire, with workerd's memory read while they
 * are active and again after their eviction, for the bot and for bench/bare's Note (one row, one alarm,
 * `deleteAll`) in a workerd of its own; and the storage both leave behind.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Fakes, payload, post, sleep, waitForRooms } from "./client.ts";
import { latencies } from "./latency.ts";
import { rssAnon, type Workerd } from "./workerd.ts";

export interface Soak {
  perCycle: number;
  rest: number;
  /** Memory with one cycle's conversations alive, per cycle. */
  active: number[];
  /** Memory once that cycle's conversations were evicted, per cycle. */
  after: number[];
  /** Everything left in the storage folder, and the part that is the soaked class's own object files. */
  storage: { all: Stored; objects: Stored };
  evicted: number;
}

export interface Stored {
  bytes: number;
  files: number;
}

/**
 * Bytes and files under `path`; with `objectsOf`, only the object files of that Durable Object class
 * (`<id>.sqlite*` in its folder), not the namespace's shared `metadata.sqlite*` (workerd's alarm index).
 */
export function folderBytes(path: string, objectsOf?: string): Stored {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    if (objectsOf && (!entry.parentPath.endsWith(`-${objectsOf}`) || entry.name.startsWith("metadata."))) continue;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
    files++;
  }
  return { bytes, files };
}

const NONE: Soak["storage"] = { all: { bytes: 0, files: 0 }, objects: { bytes: 0, files: 0 } };

const SENDERS = 50;

/** `cycles` × `perCycle` bot conversations, each answered once and then left to expire after `ttlMs`. */
export async function soakBot(
  bot: Workerd,
  fakes: Fakes,
  cycles: number,
  perCycle: number,
  ttlMs: number,
): Promise<Soak> {
  const soak: Soak = { perCycle, rest: rssAnon(bot.pid), active: [], after: [], storage: NONE, evicted: 0 };
  const evictions = () => bot.logs.filter((line) => line.event === "conversation.evicted").length;
  for (let cycle = 0; cycle < cycles; cycle++) {
    const rooms = Array.from({ length: perCycle }, (_, i) => 2_000_000 + cycle * perCycle + i);
    await latencies(
      (i) => ({ url: `${bot.url}/webhook/assistant`, body: payload(rooms[i]!, `soak ${cycle}`) }),
      perCycle,
      SENDERS,
    );
    await waitForRooms(fakes.campfire, rooms, 120_000);
    soak.active.push(rssAnon(bot.pid));
    const deadline = Date.now() + ttlMs + 60_000;
    while (evictions() < (cycle + 1) * perCycle) {
      if (Date.now() > deadline)
        throw new Error(
          `only ${evictions()} of ${(cycle + 1) * perCycle} conversations were evicted a minute after their TTL`,
        );
      await sleep(250);
    }
    await sleep(2_000); // the last evictions' reports to the registry
    soak.after.push(rssAnon(bot.pid));
  }
  soak.evicted = evictions();
  soak.storage = { all: folderBytes(bot.persistDir), objects: folderBytes(bot.persistDir, "Conversation") };
  return soak;
}

/** The same lifecycle for the trivial object: `perCycle` notes a cycle, each deleting itself after `ttlMs`. */
export async function soakNote(bare: Workerd, cycles: number, perCycle: number, ttlMs: number): Promise<Soak> {
  const soak: Soak = { perCycle, rest: rssAnon(bare.pid), active: [], after: [], storage: NONE, evicted: 0 };
  for (let cycle = 0; cycle < cycles; cycle++) {
    const first = 2_000_000 + cycle * perCycle;
    const headers = { "x-ttl-ms": String(ttlMs) };
    await latencies(
      (i) => ({ url: `${bare.url}/note/${first + i}`, body: "a message the size of a question", headers }),
      perCycle,
      SENDERS,
    );
    soak.active.push(rssAnon(bare.pid));
    await sleep(ttlMs + 2_000);
    soak.after.push(rssAnon(bare.pid));
  }
  soak.evicted = cycles * perCycle;
  soak.storage = { all: folderBytes(bare.persistDir), objects: folderBytes(bare.persistDir, "Note") };
  return soak;
}

/** Per-conversation figures of a soak, in bytes. */
export function perConversation(soak: Soak) {
  const cycles = soak.active.length;
  const last = soak.after.at(-1)!;
  return {
    /** Memory one live conversation adds (the first cycle, from rest). */
    active: (soak.active[0]! - soak.rest) / soak.perCycle,
    /** Memory still held per conversation ever run, once all were evicted. */
    retained: (last - soak.rest) / (cycles * soak.perCycle),
    /** Growth per conversation in the last cycle: the slope a long-running process sees by then. */
    growth: cycles > 1 ? (last - soak.after.at(-2)!) / soak.perCycle : NaN,
    storage: soak.storage.all.bytes / soak.evicted,
    objectStorage: soak.storage.objects.bytes / soak.evicted,
  };
}
