import { addBilling, NO_BILLING } from "../conversation/meter";
import { addUsage, NO_USAGE } from "../conversation/model";
import type { SessionSummary } from "./registry";

/**
 * Registry shards per bot. Each conversation reports to one shard, chosen by its room, so no single object
 * takes every report; a summary asks all of them. Changing it re-homes rooms, so it is fixed in code.
 */
export const REGISTRY_SHARDS = 16;

/** FNV-1a: a stable, even spread of room ids over the shards. */
function shardOf(roomId: number): number {
  let hash = 0x811c9dc5;
  for (const char of String(roomId)) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % REGISTRY_SHARDS;
}

/** The registry object of one shard of a bot: `<bot id>:<shard>`. */
const shard = (env: Env, botId: string, index: number) => env.SESSION_REGISTRY.getByName(`${botId}:${index}`);

export function registryFor(env: Env, botId: string, roomId: number) {
  return shard(env, botId, shardOf(roomId));
}

/** One bot's sessions across all its shards. */
export async function summarizeBot(env: Env, botId: string): Promise<SessionSummary> {
  const shards = await Promise.all(
    Array.from({ length: REGISTRY_SHARDS }, (_, index) => shard(env, botId, index).summary()),
  );
  const empty: SessionSummary = {
    alive: 0,
    oldestActivityAt: null,
    newestActivityAt: null,
    turns: 0,
    fallbacks: 0,
    waiting: 0,
    retrying: 0,
    evictions: 0,
    usage: { ...NO_USAGE },
    billing: { ...NO_BILLING },
    consultations: 0,
  };
  return shards.reduce<SessionSummary>(
    (total, shard) => ({
      alive: total.alive + shard.alive,
      oldestActivityAt: pickDefined(total.oldestActivityAt, shard.oldestActivityAt, Math.min),
      newestActivityAt: pickDefined(total.newestActivityAt, shard.newestActivityAt, Math.max),
      turns: total.turns + shard.turns,
      fallbacks: total.fallbacks + shard.fallbacks,
      waiting: total.waiting + shard.waiting,
      retrying: total.retrying + shard.retrying,
      evictions: total.evictions + shard.evictions,
      usage: addUsage(total.usage, shard.usage),
      billing: addBilling(total.billing, shard.billing),
      consultations: total.consultations + shard.consultations,
    }),
    empty,
  );
}

function pickDefined(a: number | null, b: number | null, pick: (x: number, y: number) => number): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return pick(a, b);
}
