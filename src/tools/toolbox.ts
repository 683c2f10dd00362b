import type { ToolUnion } from "@anthropic-ai/sdk/resources/messages";
import { z } from "zod";
import type { BotConfig } from "../config";
import { codeExecutionTool } from "../files/container";
import { listDocuments, readDocument, searchKnowledge, storeDocument } from "../knowledge/tools";
import { MEMORY_TOOL } from "../memory/tool";
import { TOOLS } from "./index";
import { defineTool, type Tool, toolDefinition, ToolError } from "./tool";

/** One consult tool per bot for the isolate's life, so its definition is built once too. */
const consultTools = new WeakMap<BotConfig, Tool>();

/** A tool that hands one question to another bot: `ask_<bot id>`. */
function consultTool(other: BotConfig): Tool {
  let tool = consultTools.get(other);
  if (!tool) consultTools.set(other, (tool = newConsultTool(other)));
  return tool;
}

function newConsultTool(other: BotConfig): Tool {
  return defineTool({
    name: `ask_${other.id}`,
    description:
      `Ask ${other.name}, another bot, one question and get its answer back (it does not see this room or the people here). ` +
      `What it is for: ${other.systemPrompt.trim().split("\n")[0]!.slice(0, 300)}`,
    input: z.object({ question: z.string().min(1).max(4_000).describe("The whole question, with the context it needs") }),
    async run({ question }, context) {
      if (!context.consult) throw new ToolError(`${other.name} cannot be consulted from here.`);
      return context.consult(other.id, question);
    },
  }) as Tool;
}

/** The custom tools a bot may call, by name: its built-ins, its libraries' tools, and one per bot it may consult. */
export function toolbox(bot: BotConfig, consultable: BotConfig[]): Map<string, Tool> {
  const tools = new Map<string, Tool>(bot.tools.map((name) => [name, TOOLS.get(name)!]));
  const knowledge = [...(bot.knowledge.read.length ? [searchKnowledge, readDocument, listDocuments] : []), ...(bot.knowledge.write.length ? [storeDocument] : [])];
  for (const tool of knowledge) tools.set(tool.name, tool as Tool);
  for (const other of consultable) tools.set(`ask_${other.id}`, consultTool(other));
  return tools;
}

/** What Claude is offered: the toolbox, then the client and server tools Anthropic defines, as configured. */
export function toolsFor(bot: BotConfig, tools: Map<string, Tool>): ToolUnion[] {
  const offered: ToolUnion[] = [...tools.values()].map(toolDefinition);
  if (bot.memoryTtlMs !== null) offered.push(MEMORY_TOOL);
  if (bot.codeExecution) offered.push(codeExecutionTool());
  if (bot.webSearchMaxUses) offered.push({ type: "web_search_20260318", name: "web_search", max_uses: bot.webSearchMaxUses });
  if (bot.webFetchMaxUses) offered.push({ type: "web_fetch_20260318", name: "web_fetch", max_uses: bot.webFetchMaxUses });
  return offered;
}
