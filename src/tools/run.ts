import type { ContentBlock, ToolResultBlockParam, ToolUnion } from "@anthropic-ai/sdk/resources/messages";
import { z } from "zod";
import type { BotConfig } from "../config";
import { log } from "../log";
import { TOOLS } from "./index";
import { type ToolContext, toolDefinition, ToolError } from "./tool";

/** The tools a bot offers Claude: its built-in tools, then Anthropic's server tools as configured. */
export function toolsFor(bot: BotConfig): ToolUnion[] {
  const tools: ToolUnion[] = bot.tools.map((name) => toolDefinition(TOOLS.get(name)!));
  if (bot.webSearchMaxUses) tools.push({ type: "web_search_20250305", name: "web_search", max_uses: bot.webSearchMaxUses });
  if (bot.webFetchMaxUses) tools.push({ type: "web_fetch_20250910", name: "web_fetch", max_uses: bot.webFetchMaxUses });
  return tools;
}

/**
 * Runs the tool calls in one answer and returns their results in order. A tool that fails, or one this bot
 * does not have, answers with `is_error` and a sentence Claude can act on; the turn goes on.
 */
export async function runTools(content: ContentBlock[], bot: BotConfig, context: ToolContext): Promise<ToolResultBlockParam[]> {
  const results: ToolResultBlockParam[] = [];
  for (const block of content) {
    if (block.type !== "tool_use") continue;
    const started = Date.now();
    const tool = bot.tools.includes(block.name) ? TOOLS.get(block.name) : undefined;
    let result: { content: string; is_error?: boolean };
    if (!tool) {
      result = { content: `There is no tool named "${block.name}" here.`, is_error: true };
    } else {
      const input = tool.input.safeParse(block.input);
      if (!input.success) {
        result = { content: `The input does not fit ${block.name}: ${z.prettifyError(input.error)}`, is_error: true };
      } else {
        try {
          result = { content: (await tool.run(input.data, context)) || "(done, no output)" };
        } catch (error) {
          const message = error instanceof ToolError ? error.message : `${block.name} failed: ${(error as Error).message}`;
          result = { content: message, is_error: true };
        }
      }
    }
    log(result.is_error ? "warn" : "info", "tool.ran", { bot: bot.id, room: context.roomId, tool: block.name, ms: Date.now() - started, error: Boolean(result.is_error) });
    results.push({ type: "tool_result", tool_use_id: block.id, ...result });
  }
  return results;
}
