import type { ContentBlock, ToolResultBlockParam, ToolUnion } from "@anthropic-ai/sdk/resources/messages";
import { z } from "zod";
import type { BotConfig } from "../config";
import { log } from "../log";
import { TOOLS } from "./index";
import { type ToolContext, toolDefinition, ToolError } from "./tool";

/** The tools a bot offers Claude: its built-in tools, then Anthropic's server tools as configured. */
export function toolsFor(bot: BotConfig): ToolUnion[] {
  const tools: ToolUnion[] = bot.tools.map((name) => toolDefinition(TOOLS.get(name)!));
  if (bot.webSearchMaxUses) tools.push({ type: "web_search_20260318", name: "web_search", max_uses: bot.webSearchMaxUses });
  if (bot.webFetchMaxUses) tools.push({ type: "web_fetch_20260318", name: "web_fetch", max_uses: bot.webFetchMaxUses });
  return tools;
}

/** How much of one tool result goes back to Claude; a longer one is cut and says so. */
const RESULT_LIMIT = 16_000;

/**
 * Runs the tool calls in one answer and returns their results in order. A tool that fails, or one this bot
 * does not have, answers with `is_error` and a sentence Claude can act on; the turn goes on.
 */
export async function runTools(content: ContentBlock[], bot: BotConfig, context: ToolContext): Promise<ToolResultBlockParam[]> {
  const results: ToolResultBlockParam[] = [];
  for (const block of content) {
    if (block.type !== "tool_use") continue;
    const started = Date.now();
    const result = await runOne(block.name, block.input, bot, context);
    log(result.is_error ? "warn" : "info", "tool.ran", { bot: bot.id, room: context.room.id, tool: block.name, ms: Date.now() - started, error: Boolean(result.is_error) });
    results.push({ type: "tool_result", tool_use_id: block.id, ...result });
  }
  return results;
}

async function runOne(name: string, raw: unknown, bot: BotConfig, context: ToolContext): Promise<{ content: string; is_error?: boolean }> {
  const tool = bot.tools.includes(name) ? TOOLS.get(name) : undefined;
  if (!tool) return { content: `There is no tool named "${name.slice(0, 64)}" here.`, is_error: true };
  const input = tool.input.safeParse(raw);
  if (!input.success) return { content: `The input does not fit ${name}: ${z.prettifyError(input.error)}`, is_error: true };
  try {
    const output = (await tool.run(input.data, context)) || "(done, no output)";
    return { content: output.length <= RESULT_LIMIT ? output : `${output.slice(0, RESULT_LIMIT)}\n(cut: the result had ${output.length} characters; ask for less)` };
  } catch (error) {
    return { content: error instanceof ToolError ? error.message : `${name} failed: ${(error as Error).message}`, is_error: true };
  }
}
