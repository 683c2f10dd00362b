import { CampfireClient } from "../campfire/client";
import { botUserId, Room } from "../campfire/room";
import { readSince } from "../campfire/span";
import type { BotConfig, Config, Schedule } from "../config";
import { ServiceFailure } from "../failure";
import { log } from "../log";
import { firingSpan } from "./firing";
import { BRIEFING_BOUNDS, briefingChars, briefingPrompt, type SourceRead } from "./material";

/**
 * The prompt of a briefing's turn: its schedule's sources read, each as this bot (it must be a member), from the
 * cron's previous firing to this one. Only the rooms the operator listed are read; one that cannot be read is named,
 * in the prompt and in the notes its answer must carry.
 */
export async function briefingFor(
  config: Config,
  bot: BotConfig,
  schedule: Schedule,
  scheduledTime: number,
): Promise<{ text: string; notes: string[] }> {
  const started = Date.now();
  const { since, until } = firingSpan(schedule.cron, scheduledTime);
  const sources = await Promise.all(schedule.sources.map((roomId) => readSource(config, bot, roomId, since)));
  const { text, notes } = briefingPrompt({
    prompt: schedule.prompt,
    since,
    until,
    sources,
    timeZone: bot.timeZone,
    botUserId: bot.key ? botUserId(bot.key) : 0,
    totalChars: briefingChars(bot.historyBudgetTokens),
  });
  log("info", "briefing.read", {
    bot: bot.id,
    room: schedule.roomId,
    cron: schedule.cron,
    sources: sources.length,
    unreadable: sources.filter((source) => "unreadable" in source).length,
    cut: sources.filter((source) => "span" in source && source.span.cut).length,
    messages: sources.reduce((sum, source) => sum + ("span" in source ? source.span.messages.length : 0), 0),
    chars: text.length,
    ms: Date.now() - started,
  });
  return { text, notes };
}

/** One source room since `since`, or why not, in words the briefing may show (never a key or an internal detail). */
async function readSource(config: Config, bot: BotConfig, roomId: number, since: number): Promise<SourceRead> {
  if (!bot.key || !config.campfireUrl)
    return { roomId, unreadable: `the bot is not configured (${bot.keySecret} or CAMPFIRE_URL is not set)` };
  // A room of its own: what it learns of this Campfire is not the briefing room's conversation's to keep.
  const room = new Room(
    new CampfireClient(config.campfireUrl),
    roomId,
    bot.key,
    new Set(),
    () => {},
    config.campfireUrl,
  );
  let failure: ServiceFailure;
  try {
    const span = await readSince(room, since, BRIEFING_BOUNDS.pages);
    if (span) return { roomId, span };
    failure = new ServiceFailure(
      "campfire",
      "not_found",
      "Campfire answered 404: the bot is not a member of that room, or this Campfire is older than 2026 and lets bots post but not read",
      404,
    );
  } catch (error) {
    failure =
      error instanceof ServiceFailure
        ? error
        : new ServiceFailure("bot", "internal", "an internal error (the Worker's logs have it)");
    if (!(error instanceof ServiceFailure))
      log("error", "internal.error", {
        bot: bot.id,
        source: roomId,
        stage: "briefing",
        error: (error as Error)?.message?.slice(0, 300) ?? String(error),
        stack: (error as Error)?.stack?.slice(0, 1_500) ?? null,
      });
  }
  log("warn", "briefing.source_unreadable", {
    bot: bot.id,
    source: roomId,
    kind: failure.kind,
    error: failure.message,
  });
  return { roomId, unreadable: failure.message };
}
