import type {
  ContainerParams,
  TextBlockParam,
  ToolResultBlockParam,
  ToolUnion,
} from "@anthropic-ai/sdk/resources/messages";
import { producedFileIds } from "../anthropic/produced";
import type { BotConfig } from "../config";
import type { AuditSink } from "./effects";
import { addUsage, type Model, NO_USAGE, type RequestMessage, type TokenUsage } from "./model";
import { runTools } from "./run-tools";
import type { Toolbox, TurnToolContext } from "./toolbox";

export interface LoopInput {
  model: Model;
  bot: BotConfig;
  system: TextBlockParam[];
  /** The request's messages; tool rounds are appended to it. */
  messages: RequestMessage[];
  /** What Claude is offered, and the custom tools among them that run here. */
  tools: ToolUnion[];
  toolbox: Toolbox;
  toolContext: TurnToolContext;
  container?: ContainerParams;
  /** Shown the answer's text as it grows. */
  onText: (snapshot: string) => void;
  signal: AbortSignal;
  /** Called once per model call, for the turn's subrequest count. */
  onAsk: () => void;
  /** Told each model call's usage as it comes (and whether the fallback model made it), so a turn cut short still knows what it cost. */
  onUsage?: (usage: TokenUsage, byFallback: boolean) => void;
  /** Where what the tool runs changed is recorded. */
  audit?: AuditSink;
  /** Whether the newest tool results get the loop's breakpoint after this many tool rounds; always, if not given. */
  cacheRound?: (done: number) => boolean;
}

export interface LoopAnswer {
  text: string;
  usage: TokenUsage;
  stopReason: string | null;
  /** Files the model's code wrote during the turn, to post into the room. */
  fileIds: string[];
  /** The code-execution container the turn ran in, if any. */
  containerId: string | null;
  /** The fallback model that answered a round of the turn, when one did. */
  fallbackModel?: string;
  /** How many times the model was asked. */
  calls: number;
}

const joinText = (before: string, more: string) => [before, more].filter(Boolean).join("\n\n");

/** The loop's own cache breakpoint: rounds are seconds apart, so 5 minutes; after the turn's, so the 1-hour ones stay first. */
const ROUND_CACHE = { type: "ephemeral", ttl: "5m" } as const;

/**
 * Asks the model until it is done: each tool call is run and answered, a paused server-tool turn is resumed,
 * and the rounds are bounded by the bot's `max_tool_rounds` (the turn's signal bounds the time).
 */
export async function runModelLoop(input: LoopInput): Promise<LoopAnswer> {
  const { model, bot, system, messages, tools } = input;
  let usage: TokenUsage = { ...NO_USAGE };
  let text = "";
  let stopReason: string | null = null;
  const fileIds: string[] = [];
  let containerId: string | null = null;
  let container = input.container;
  // The newest tool result carries the loop's breakpoint, so each round reads the rounds before it (room context
  // included) from the cache; moved forward as the loop grows, it stays one breakpoint, within the API's four. It
  // is set only where `cacheRound` expects another round to read it: the last round's write is never read.
  let roundBreakpoint: ToolResultBlockParam | undefined;
  let fallbackModel: string | undefined;
  let calls = 0;
  for (let round = 0; ; round++) {
    input.onAsk();
    calls++;
    const before = text;
    const answer = await model.ask(
      {
        model: bot.model,
        maxTokens: bot.maxTokens,
        system,
        messages,
        tools,
        mcpServers: bot.mcpServers,
        thinking: bot.thinking,
        ...(bot.temperature !== null ? { temperature: bot.temperature } : {}),
        container,
      },
      { onText: (snapshot) => input.onText(joinText(before, snapshot)), signal: input.signal },
    );
    usage = addUsage(usage, answer.usage);
    fallbackModel ??= answer.fallbackModel;
    input.onUsage?.(answer.usage, answer.fallbackModel !== undefined);
    text = joinText(text, answer.text);
    for (const id of producedFileIds(answer.content)) if (!fileIds.includes(id)) fileIds.push(id);
    // Later rounds continue in the container this one ran in.
    if (answer.containerId) {
      containerId = answer.containerId;
      container = { ...container, id: containerId };
    }
    stopReason = answer.stopReason;
    // `pause_turn`: Anthropic paused a long server-tool turn; sending the answer back lets it go on.
    if (stopReason !== "tool_use" && stopReason !== "pause_turn") break;
    if (round + 1 >= bot.maxToolRounds) {
      text = joinText(
        text,
        `_(I stopped after ${bot.maxToolRounds} rounds of tool use, this bot's limit. Ask me to go on if you need more.)_`,
      );
      break;
    }
    // Sent back exactly as returned: the API needs thinking blocks and their signatures within a tool loop.
    messages.push({ role: "assistant", content: answer.content });
    if (stopReason === "tool_use") {
      // After this round's results the model is asked max - round - 1 more times; the last of those runs no tool.
      const toolContext = { ...input.toolContext, toolRoundsLeft: bot.maxToolRounds - round - 2 };
      const results = await runTools(answer.content, bot, input.toolbox, toolContext, input.audit);
      const newest = results.at(-1);
      if (newest && (input.cacheRound?.(round + 1) ?? true)) {
        if (roundBreakpoint) delete roundBreakpoint.cache_control;
        roundBreakpoint = newest;
        roundBreakpoint.cache_control = ROUND_CACHE;
      }
      messages.push({ role: "user", content: results });
    }
  }
  return { text, usage, stopReason, fileIds, containerId, fallbackModel, calls };
}
