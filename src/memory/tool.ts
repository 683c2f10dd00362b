import type { MemoryTool20250818 } from "@anthropic-ai/sdk/resources/messages";
import { formatDuration } from "../config/duration";
import { log } from "../log";
import type { ToolContext } from "../tools/tool";
import type { CommandResult } from "./commands";
import { memoryName } from "./name";

/** Anthropic's memory tool, as offered to Claude: a client tool whose commands `runMemoryTool` carries out. */
export const MEMORY_TOOL: MemoryTool20250818 = { type: "memory_20250818", name: "memory" };

/** One person's memory as a turn may use it: already bound to that person and the memory's ttl. */
export interface MemoryApi {
  command(input: unknown): Promise<CommandResult>;
}

/** A tool context that may carry the asker's memory, for the memory tool's calls. */
export interface MemoryToolContext extends ToolContext {
  /** The asker's memory with this bot, bound when the turn started; absent for a bot without `memory`. */
  memory?: MemoryApi;
}

/**
 * The memory of `userId` with `botId`. Call it once when the turn starts, with the sender of the newest message,
 * and hand only the result to the tool loop: nothing Claude sends can then reach another person's memory.
 */
export function memoryFor(env: Pick<Env, "MEMORY">, botId: string, userId: number, ttlMs: number): MemoryApi {
  const stub = env.MEMORY.getByName(memoryName(botId, userId));
  return { command: (input) => stub.command(input, ttlMs) };
}

/** Runs one `memory` tool_use's input; the result goes into the tool_result block as is. */
export async function runMemoryTool(
  memory: MemoryApi,
  input: unknown,
): Promise<{ content: string; is_error?: boolean }> {
  try {
    const result = await memory.command(input);
    return result.isError ? { content: result.content, is_error: true } : { content: result.content };
  } catch (error) {
    log("warn", "memory.unavailable", { error: (error as Error).message });
    return {
      content:
        "The memory could not be reached just now. Answer without it, and do not say that anything was remembered or forgotten.",
      is_error: true,
    };
  }
}

/**
 * What the system prompt says about the memory when the bot has it. It names no one, so it is the same for everyone
 * and stays in the cached prefix; whose memory is open is said after it, in each turn (`memoryOwner`).
 */
export function memoryPrompt(ttlMs: number): string {
  return (
    `You have a memory tool. Its /memories directory belongs to the person who wrote the newest message, named at the end ` +
    `of each turn, and to no one else: it holds what you noted in earlier conversations with them, in any room or in direct messages. ` +
    `When it could help, view /memories before answering. When they share a lasting preference or fact about themselves ` +
    `or their work that would help later, record it briefly; skip passing chatter, never record what other people said, ` +
    `and never store secrets such as passwords, keys, tokens, or health or financial details, even when asked. ` +
    `If they ask what you remember about them, view their files and tell them plainly; if they ask you to forget ` +
    `everything, delete /memories and confirm it; to forget one thing, change or delete just that. ` +
    `The memory is forgotten on its own ${formatDuration(ttlMs)} after it was last used.`
  );
}

/** Whose memory this turn opens, said after the cached prefix; `personName` is the newest message's sender. */
export function memoryOwner(personName: string): string {
  // A display name is chosen by its owner: one line, bounded, so it cannot pose as further instructions.
  const name = personName.replace(/\s+/g, " ").trim().slice(0, 80) || "the person speaking";
  return `Memory: the /memories directory open in this turn belongs to ${name}, who wrote the newest message.`;
}
