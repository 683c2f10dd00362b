import type { MessageParam, TextBlockParam } from "@anthropic-ai/sdk/resources/messages";
import type { BotConfig } from "../config";
import type { PendingMessage, Turn } from "./store";

const CACHE = { type: "ephemeral" } as const;

/** Rooms have many people, so each message in a user turn names its sender; several arrive as one turn. */
export function composeTurn(pending: PendingMessage[]): string {
  return pending.map((message) => `${message.userName}: ${message.text}`).join("\n\n");
}

/** The bot's own prompt and where it is: stable for the whole conversation, so it is cached. */
export function systemPrompt(bot: BotConfig, roomName: string): string {
  return [
    bot.systemPrompt.trim(),
    `You are ${bot.name}, a bot in the Campfire chat room "${roomName}". Several people may talk to you; ` +
      "each of their messages starts with the sender's name. Format answers in Markdown.",
  ]
    .filter(Boolean)
    .join("\n\n");
}

/** The moment of this turn in the bot's time zone. It changes every turn, so it goes after every cache breakpoint. */
export function currentTime(now: Date, timeZone: string): string {
  const when = now.toLocaleString("en-US", { timeZone, weekday: "long", year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false });
  return `Current time: ${when} (${timeZone}).`;
}

export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/**
 * How many of the oldest turns to drop so history fits `budget` tokens (estimated locally, no API call).
 * Whole exchanges go — a user turn with everything answering it — never half of one. Once over budget it
 * trims down to three quarters of it, so the cached prefix changes only now and then, not every turn.
 */
export function turnsToDrop(turns: Turn[], budget: number): number {
  let remaining = turns.reduce((sum, turn) => sum + estimateTokens(turn.content), 0);
  if (remaining <= budget) return 0;
  let drop = 0;
  while (drop < turns.length && remaining > budget * 0.75) {
    do remaining -= estimateTokens(turns[drop++]!.content);
    while (drop < turns.length && turns[drop]!.role !== "user");
  }
  return drop;
}

/**
 * The request's system prompt and messages, with cache breakpoints on the system prompt, the newest answer
 * in history and this turn's own text: the next turn then re-reads everything up to here from the cache.
 * `extra` (room context, the time) changes every turn, so it sits after the last breakpoint.
 */
export function buildPrompt(bot: BotConfig, roomName: string, history: Turn[], prompt: string, extra: string): { system: TextBlockParam[]; messages: MessageParam[] } {
  const messages: MessageParam[] = history.map((turn, index) => ({
    role: turn.role,
    content: [{ type: "text", text: turn.content, ...(index === history.length - 1 ? { cache_control: CACHE } : {}) }],
  }));
  messages.push({ role: "user", content: [{ type: "text", text: prompt, cache_control: CACHE }, { type: "text", text: extra }] });
  return { system: [{ type: "text", text: systemPrompt(bot, roomName), cache_control: CACHE }], messages };
}
