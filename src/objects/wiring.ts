import { type BudgetAccess, budgetAccess } from "../budget/access";
import { CampfireClient } from "../campfire/client";
import { type Capability, Room } from "../campfire/room";
import type { BotConfig, BudgetLimits, Config } from "../config";
import { recordAudit } from "../control/audit";
import { knownStatus } from "../control/status";
import type { Meter } from "../conversation/meter";
import type { Model } from "../conversation/model";
import type { Reach } from "../conversation/turn-tools";
import { digestsFor } from "../digests/access";
import { ServiceFailure } from "../failure";
import { knowledgeAccess } from "../knowledge/access";
import { log } from "../log";
import { tasksFor } from "../memory/tasks-tool";
import { memoryFor } from "../memory/tool";
import { OfflineModel } from "../playground/offline-model";
import { registryFor } from "../registry/shards";
import { speaksForSomeone } from "../tools/tool";
import { claudeClient } from "./claude";
import { FallbackModel } from "./fallback";

const offline = new OfflineModel();

/**
 * Claude (with the bot's fallback, for one turn), or — in the local playground without a key — the labelled offline
 * model. Chosen here, at the edge.
 */
export function modelFor(config: Config, bot: BotConfig): Model {
  if (config.anthropicApiKey) {
    const primary = claudeClient({ apiKey: config.anthropicApiKey, baseUrl: config.anthropicBaseUrl });
    if (!bot.fallback) return primary;
    const fallback = claudeClient({
      apiKey: bot.fallback.apiKey ?? config.anthropicApiKey,
      baseUrl: bot.fallback.baseUrl ?? config.anthropicBaseUrl,
    });
    return new FallbackModel(primary, fallback, { botId: bot.id, model: bot.fallback.model });
  }
  if (config.playground) return offline;
  throw new ServiceFailure("anthropic", "not_configured", "ANTHROPIC_API_KEY is not set");
}

/** The bot a conversation belongs to; a missing setting is a failure the room is told about. */
export function botOf(config: Config, botId: string): BotConfig & { key: string } {
  const bot = config.bots.get(botId);
  if (!bot) throw new ServiceFailure("bot", "not_configured", `bot "${botId}" is no longer in BOTS`);
  if (!bot.key || !config.campfireUrl)
    throw new ServiceFailure("campfire", "not_configured", `${bot.keySecret} or CAMPFIRE_URL is not set`);
  return bot as BotConfig & { key: string };
}

/** The conversation's room as its bot sees it, counting each Campfire request and storing what Campfire lacks. */
export function roomFor(
  config: Config,
  bot: BotConfig & { key: string },
  roomId: number,
  lacks: Set<Capability>,
  hooks: { onRequest: () => void; onLacks: (lacks: Set<Capability>) => void },
): Room {
  const campfire = new CampfireClient(config.campfireUrl!, hooks.onRequest);
  return new Room(campfire, roomId, bot.key, lacks, () => hooks.onLacks(lacks), config.campfireUrl!);
}

/** What a turn may reach beyond its conversation: libraries, the asker's memory, other bots — each a DO request counted. */
export function reachFor(env: Env, config: Config, roomId: number, meter: Meter): Reach {
  return {
    knowledge: (bot) =>
      bot.knowledge.read.length ? knowledgeAccess(env, bot.knowledge.read, bot.knowledge.write) : undefined,
    // A scheduled turn speaks for no one (user id 0), so it has no memory to use.
    memory: (bot, person) =>
      bot.memoryTtlMs !== null && speaksForSomeone(person)
        ? memoryFor(env, bot.id, person.id, bot.memoryTtlMs)
        : undefined,
    digests: (bot, person, roomName) =>
      bot.digests && speaksForSomeone(person)
        ? digestsFor(env, bot.id, person, roomName, () => meter.add({ doRequests: 1 }))
        : undefined,
    tasks: (bot, person) =>
      bot.tasks && bot.memoryTtlMs !== null && speaksForSomeone(person)
        ? tasksFor(env, bot.id, person.id, bot.memoryTtlMs)
        : undefined,
    bot: (id) => config.bots.get(id),
    consulted: (botId, usage) => {
      meter.add({ doRequests: 1 });
      registryFor(env, botId, roomId)
        .consulted(usage)
        .catch((error: Error) =>
          log("warn", "registry.report_failed", { bot: botId, room: roomId, error: error.message }),
        );
    },
    audit: (botId, entry) => {
      meter.add({ doRequests: 1 });
      return recordAudit(env, botId, entry);
    },
    paused: async (botId) =>
      (await knownStatus(env, botId, Date.now(), () => meter.add({ doRequests: 1 }))).status.paused,
  };
}

/** The bot's budget limits in force now: an operator's runtime budget wins over wrangler.toml's until cleared (read through the same 5 s cache as the switch). */
async function effectiveLimits(env: Env, bot: BotConfig, meter: Meter): Promise<BudgetLimits | null> {
  return (await knownStatus(env, bot.id, Date.now(), () => meter.add({ doRequests: 1 }))).status.budget ?? bot.budget;
}

/** The bot's budget for a turn, counting each request to its object; undefined without one, so nothing is asked. */
export async function budgetFor(env: Env, bot: BotConfig, meter: Meter): Promise<BudgetAccess | undefined> {
  const limits = await effectiveLimits(env, bot, meter);
  return limits ? budgetAccess(env, bot.id, limits, (rows) => meter.add({ doRequests: 1, ...rows })) : undefined;
}
