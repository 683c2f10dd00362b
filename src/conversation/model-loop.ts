import type { MessageParam, TextBlockParam, ToolUnion } from "@anthropic-ai/sdk/resources/messages";
import type { BotConfig } from "../config";
import { runTools } from "../tools/run";
import type { ToolContext } from "../tools/tool";
import { addUsage, type Model, NO_USAGE, type TokenUsage } from "./model";

export interface LoopInput {
  model: Model;
  bot: BotConfig;
  system: TextBlockParam[];
  /** The request's messages; tool rounds are appended to it. */
  messages: MessageParam[];
  tools: ToolUnion[];
  toolContext: ToolContext;
  /** Shown the answer's text as it grows. */
  onText: (snapshot: string) => void;
  signal: AbortSignal;
  /** Called once per model call, for the turn's subrequest count. */
  onAsk: () => void;
}

export interface LoopAnswer {
  text: string;
  usage: TokenUsage;
  stopReason: string | null;
}

const joinText = (before: string, more: string) => [before, more].filter(Boolean).join("\n\n");

/**
 * Asks the model until it is done: each tool call is run and answered, a paused server-tool turn is resumed,
 * and the rounds are bounded by the bot's `max_tool_rounds` (the turn's signal bounds the time).
 */
export async function runModelLoop(input: LoopInput): Promise<LoopAnswer> {
  const { model, bot, system, messages, tools } = input;
  let usage: TokenUsage = { ...NO_USAGE };
  let text = "";
  let stopReason: string | null = null;
  for (let round = 0; ; round++) {
    input.onAsk();
    const before = text;
    const answer = await model.ask(
      { model: bot.model, maxTokens: bot.maxTokens, system, messages, tools, mcpServers: bot.mcpServers },
      { onText: (snapshot) => input.onText(joinText(before, snapshot)), signal: input.signal },
    );
    usage = addUsage(usage, answer.usage);
    text = joinText(text, answer.text);
    stopReason = answer.stopReason;
    // `pause_turn`: Anthropic paused a long server-tool turn; sending the answer back lets it go on.
    if (stopReason !== "tool_use" && stopReason !== "pause_turn") break;
    if (round + 1 >= bot.maxToolRounds) {
      text = joinText(text, `_(I stopped after ${bot.maxToolRounds} rounds of tool use, this bot's limit. Ask me to go on if you need more.)_`);
      break;
    }
    messages.push({ role: "assistant", content: answer.content });
    if (stopReason === "tool_use") messages.push({ role: "user", content: await runTools(answer.content, bot, input.toolContext) });
  }
  return { text, usage, stopReason };
}
