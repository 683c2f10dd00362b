import type { ToolUnion } from "@anthropic-ai/sdk/resources/messages";
import { z } from "zod";
import { codeExecutionTool } from "../anthropic/container";
import type { BotConfig } from "../config";
import { fillPlaceholders } from "../config/prompt-text";
import type { DigestsToolContext } from "../digests/access";
import { DIGEST_TOOLS } from "../digests/tools";
import { kept } from "../keep";
import type { KnowledgeToolContext } from "../knowledge/access";
import { listDocuments, readDocument, searchKnowledge, storeDocument } from "../knowledge/tools";
import { type TasksToolContext, tasksTool } from "../memory/tasks-tool";
import { MEMORY_TOOL, type MemoryToolContext } from "../memory/tool";
import { TOOLS } from "../tools";
import type { BudgetToolContext } from "../tools/budget-status";
import {
  defineTool,
  type Person,
  speaksForSomeone,
  type Tool,
  type ToolContext,
  ToolError,
  toolDefinition,
} from "../tools/tool";

/** A tool context that may hand a question to another bot, for the `ask_<bot id>` tools. */
export interface ConsultToolContext extends ToolContext {
  /** Hands a question to another bot for one turn and resolves with its answer; absent where consulting is not allowed. */
  consult?: (botId: string, question: string) => Promise<string>;
}

/** What a turn hands its tools: every tool's context, and what each feature's tools add to it. */
export interface TurnToolContext
  extends KnowledgeToolContext,
    MemoryToolContext,
    TasksToolContext,
    ConsultToolContext,
    BudgetToolContext,
    DigestsToolContext {}

/** The custom tools a turn may call, by name. */
export type Toolbox = Map<string, Tool<z.ZodType, TurnToolContext>>;

/** One consult tool per bot for the isolate's life, so its definition is built once too. */
const consultTools = new WeakMap<BotConfig, Tool<z.ZodType, ConsultToolContext>>();

/** A tool that hands one question to another bot: `ask_<bot id>`. */
function consultTool(other: BotConfig): Tool<z.ZodType, ConsultToolContext> {
  return kept(consultTools, other, () => newConsultTool(other));
}

/**
 * What a bot is for: the first sentence of its prompt's prose (a prompt file's headings skipped), placeholders
 * filled. The rest is how it works, which the bot consulting it needs not be told in every request.
 */
function purposeOf(bot: BotConfig): string {
  const prompt = fillPlaceholders(bot.systemPrompt, {
    bot_name: bot.name,
    room_name: "its room",
    time_zone: bot.timeZone,
  });
  const line = prompt.split("\n").find((text) => text.trim() !== "" && !text.trim().startsWith("#")) ?? "";
  const sentence = /^.*?[.!?](?=\s|$)/.exec(line.trim())?.[0] ?? line.trim();
  return sentence.slice(0, 300);
}

function newConsultTool(other: BotConfig): Tool<z.ZodType, ConsultToolContext> {
  return defineTool({
    name: `ask_${other.id}`,
    description:
      `Ask ${other.name}, another bot, one question and get its answer back (it does not see this room or the people here). ` +
      `What it is for: ${purposeOf(other)}`,
    input: z.object({
      question: z.string().min(1).max(4_000).describe("The whole question, with the context it needs"),
    }),
    async run({ question }, context: ConsultToolContext) {
      if (!context.consult) throw new ToolError(`${other.name} cannot be consulted from here.`);
      return context.consult(other.id, question);
    },
  });
}

/** Whether the bot has anything that acts for the asker — their memory, reminders, digests — so whose words a turn holds matters. */
export function actsForPeople(bot: BotConfig): boolean {
  return bot.memoryTtlMs !== null || bot.digests || bot.tools.some((name) => TOOLS[name].forAsker === true);
}

/**
 * The custom tools a bot may call, by name: its built-ins, its libraries' tools, and one per bot it may consult.
 * A turn that speaks for no one (a scheduled one) gets no tool that acts for the asker.
 */
export function toolbox(bot: BotConfig, consultable: BotConfig[], asker: Person): Toolbox {
  const builtIn = bot.tools.map((name) => TOOLS[name]).filter((tool) => !tool.forAsker || speaksForSomeone(asker));
  const tools: Toolbox = new Map(builtIn.map((tool) => [tool.name, tool]));
  const knowledge = [
    ...(bot.knowledge.read.length ? [searchKnowledge, readDocument, listDocuments] : []),
    ...(bot.knowledge.write.length ? [storeDocument] : []),
  ];
  for (const tool of knowledge) tools.set(tool.name, tool);
  // Every digest tool acts for the asker: a turn that speaks for no one gets none.
  if (bot.digests && speaksForSomeone(asker))
    for (const tool of Object.values(DIGEST_TOOLS)) tools.set(tool.name, tool);
  if (bot.tasks && speaksForSomeone(asker)) tools.set(tasksTool.name, tasksTool);
  for (const other of consultable) tools.set(`ask_${other.id}`, consultTool(other));
  return tools;
}

/**
 * What Claude is offered: the toolbox, then the client and server tools Anthropic defines, as configured. The memory
 * tool only when the turn has a person's memory bound (`withMemory`): offered without one, every call would fail.
 */
export function toolsFor(bot: BotConfig, tools: Toolbox, withMemory: boolean): ToolUnion[] {
  const offered: ToolUnion[] = [...tools.values()].map(toolDefinition);
  if (withMemory) offered.push(MEMORY_TOOL);
  if (bot.codeExecution) offered.push(codeExecutionTool());
  if (bot.webSearchMaxUses)
    offered.push({ type: "web_search_20260318", name: "web_search", max_uses: bot.webSearchMaxUses });
  if (bot.webFetchMaxUses)
    offered.push({ type: "web_fetch_20260318", name: "web_fetch", max_uses: bot.webFetchMaxUses });
  return offered;
}
