import type { HourFigures, SessionSummary } from "./registry";
import { addCounted, countersOf } from "./schema";

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
  return sumSummaries(
    await Promise.all(Array.from({ length: REGISTRY_SHARDS }, (_, index) => shard(env, botId, index).summary())),
  );
}

/** One bot's sessions and its hours from `since` on, across its shards: one request to each, as `summarizeBot`. */
export async function botOverview(
  env: Env,
  botId: string,
  since: number,
): Promise<{ summary: SessionSummary; hours: HourFigures[] }> {
  const shards = await Promise.all(
    Array.from({ length: REGISTRY_SHARDS }, (_, index) => shard(env, botId, index).overview(since)),
  );
  return { summary: sumSummaries(shards.map((s) => s.summary)), hours: sumHours(shards.map((s) => s.hours)) };
}

/** Several shards' (or bots') summaries added up. */
export function sumSummaries(shards: SessionSummary[]): SessionSummary {
  const empty: SessionSummary = {
    ...countersOf({}),
    alive: 0,
    oldestActivityAt: null,
    newestActivityAt: null,
    waiting: 0,
    retrying: 0,
    evictions: 0,
    consultations: 0,
  };
  return shards.reduce<SessionSummary>(
    (total, shard) => ({
      ...addCounted(total, shard),
      alive: total.alive + shard.alive,
      oldestActivityAt: pickDefined(total.oldestActivityAt, shard.oldestActivityAt, Math.min),
      newestActivityAt: pickDefined(total.newestActivityAt, shard.newestActivityAt, Math.max),
      waiting: total.waiting + shard.waiting,
      retrying: total.retrying + shard.retrying,
      evictions: total.evictions + shard.evictions,
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

/** Several shards' (or bots') hours, each hour's figures added up, oldest first. */
export function sumHours(shards: HourFigures[][]): HourFigures[] {
  const hours = new Map<number, HourFigures>();
  for (const figures of shards.flat()) {
    const sum = hours.get(figures.hour);
    hours.set(
      figures.hour,
      sum
        ? // Each shard's own most at once, added: the shards' peaks may fall at different moments of the hour.
          { ...addCounted(sum, figures), hour: sum.hour, alive: sum.alive + figures.alive }
        : figures,
    );
  }
  return [...hours.values()].sort((a, b) => a.hour - b.hour);
}
