import type { ContentBlock, ToolResultBlockParam } from "@anthropic-ai/sdk/resources/messages";
import { z } from "zod";
import type { BotConfig } from "../config";
import { log } from "../log";
import { MEMORY_TOOL, runMemoryTool } from "../memory/tool";
import { ToolError } from "../tools/tool";
import { type AuditSink, type Effect, watched } from "./effects";
import type { Toolbox, TurnToolContext } from "./toolbox";

/** How much of one tool result goes back to Claude; a longer one is cut and says so. */
const RESULT_LIMIT = 16_000;

/**
 * Runs the tool calls in one answer and returns their results in order. A tool that fails, or one this bot
 * does not have, answers with `is_error` and a sentence Claude can act on; the turn goes on. What a run changed
 * (a document stored, a reminder set or cancelled, the asker's memory written) goes to `audit`, as done by the asker.
 */
export async function runTools(
  content: ContentBlock[],
  bot: BotConfig,
  tools: Toolbox,
  context: TurnToolContext,
  audit?: AuditSink,
): Promise<ToolResultBlockParam[]> {
  const results: ToolResultBlockParam[] = [];
  for (const block of content) {
    if (block.type !== "tool_use") continue;
    const started = Date.now();
    const effects: Effect[] = [];
    const result = await runOne(block.name, block.input, tools, audit ? watched(context, effects) : context);
    log(result.is_error ? "warn" : "info", "tool.ran", {
      bot: bot.id,
      room: context.room.id,
      tool: block.name,
      ms: Date.now() - started,
      error: Boolean(result.is_error),
    });
    const actor = { userId: context.asker.id, name: context.asker.name };
    await Promise.all(effects.map((effect) => audit!(bot.id, { ...effect, actor, roomId: context.room.id })));
    results.push({ type: "tool_result", tool_use_id: block.id, ...result });
  }
  return results;
}

async function runOne(
  name: string,
  raw: unknown,
  tools: Toolbox,
  context: TurnToolContext,
): Promise<{ content: string; is_error?: boolean }> {
  // The memory tool is Anthropic's own protocol; its commands go to the asker's memory, and only theirs.
  if (name === MEMORY_TOOL.name && context.memory) return runMemoryTool(context.memory, raw);
  const tool = tools.get(name);
  if (!tool) return { content: `There is no tool named "${name.slice(0, 64)}" here.`, is_error: true };
  const input = tool.input.safeParse(raw);
  if (!input.success)
    return { content: `The input does not fit ${name}: ${z.prettifyError(input.error)}`, is_error: true };
  try {
    const output = (await tool.run(input.data, context)) || "(done, no output)";
    return {
      content:
        output.length <= RESULT_LIMIT
          ? output
          : `${output.slice(0, RESULT_LIMIT)}\n(cut: the result had ${output.length} characters; ask for less)`,
    };
  } catch (error) {
    return {
      content: error instanceof ToolError ? error.message : `${name} failed: ${(error as Error).message}`,
      is_error: true,
    };
  }
}
