import type { MessageParam } from "@anthropic-ai/sdk/resources/messages";
import type { BotConfig } from "../config";
import type { PendingMessage, Turn } from "./store";

/** Rooms have many people, so each message in a user turn names its sender; several arrive as one turn. */
export function composeTurn(pending: PendingMessage[]): string {
  return pending.map((message) => `${message.userName}: ${message.text}`).join("\n\n");
}

/** The bot's own prompt, then where it is and what day it is, so answers fit the room. */
export function systemPrompt(bot: BotConfig, roomName: string, now: Date): string {
  const day = now.toLocaleDateString("en-US", { weekday: "long", year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
  return [
    bot.systemPrompt.trim(),
    `You are ${bot.name}, a bot in the Campfire chat room "${roomName}". Several people may talk to you; ` +
      `each of their messages starts with the sender's name. Format answers in Markdown. Today is ${day} (UTC).`,
  ]
    .filter(Boolean)
    .join("\n\n");
}

export function buildMessages(history: Turn[], prompt: string): MessageParam[] {
  return [...history.map((turn) => ({ role: turn.role, content: turn.content })), { role: "user", content: prompt }];
}
