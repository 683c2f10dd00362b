import type { TextBlockParam, ToolUnion } from "@anthropic-ai/sdk/resources/messages";
import type { BotConfig } from "../config";
import { asFailure } from "../failure";
import { log } from "../log";
import { type Model, NO_USAGE, type TokenUsage } from "./model";
import { historyMessages } from "./prompt";
import { contextShownUpto, type History, type Summary, summaryTokens, type Turn, turnTokens } from "./transcript";

// What the conversation keeps of the turns it stops sending whole: a summary the Messages API writes on demand
// (compaction), sent back first in every later request. When to summarize is a pure policy, tested by a table.

/** A summary is at most this many tokens (about 350 words), and at most a quarter of the bot's history budget. */
export const SUMMARY_MAX_TOKENS = 512;
export const summaryBound = (budget: number) => Math.min(SUMMARY_MAX_TOKENS, Math.floor(budget / 4));

/** What the policy decides from: the history's turns and summary, the bot's budget, and whether the cache is cold. */
export interface FoldSnapshot {
  turns: Turn[];
  /** The tokens of the summary kept now; 0 when there is none. */
  summaryTokens: number;
  budget: number;
  /** The history's cache entry has expired (a break of an hour or more), so this turn writes all of it again. */
  cold: boolean;
}

/**
 * How many of the oldest turns go into the summary this turn (0: none), always whole exchanges and never the newest.
 * Over the budget, down to three quarters of it with room for the summary, as dropping did. After a break, when the
 * whole history is written to the cache again anyway, down to the newest few exchanges: the input the summary reads
 * once (1×) costs less than writing it again (1.25 – 2×) and reading it on every later turn.
 */
export function turnsToFold({ turns, summaryTokens, budget, cold }: FoldSnapshot): number {
  const tokens = turns.reduce((sum, turn) => sum + turnTokens(turn), 0);
  if (summaryTokens + tokens > budget) return foldDownTo(turns, budget * 0.75 - summaryBound(budget));
  if (!cold) return 0;
  // Twice the summary's size stays whole; four times it, at least, goes in: the summary's output costs 5× input.
  const bound = summaryBound(budget);
  const fold = foldDownTo(turns, 2 * bound);
  const folded = turns.slice(0, fold).reduce((sum, turn) => sum + turnTokens(turn), 0);
  return folded >= 4 * bound ? fold : 0;
}

function foldDownTo(turns: Turn[], target: number): number {
  const newest = turns.findLastIndex((turn) => turn.role === "user");
  let kept = turns.reduce((sum, turn) => sum + turnTokens(turn), 0);
  let fold = 0;
  while (fold < newest && kept > target) {
    do kept -= turnTokens(turns[fold++]!);
    while (fold < newest && turns[fold]!.role !== "user");
  }
  return fold;
}

/** What the summary is told to keep. The API's own prompt is written for coding agents; this is a chat room. */
export function summaryInstructions(bound: number): string {
  return (
    "Summarize this conversation for yourself, to go on with it as the bot in this chat room. Keep every decision, " +
    "agreement, commitment, deadline, date, number and open question, each with who said it, and anything someone " +
    "asked you to remember; an earlier summary is part of the conversation, so keep what still matters of it. " +
    `Leave out greetings and small talk. Plain text, at most ${Math.floor(bound * 0.7)} words.`
  );
}

export interface FoldInput {
  compact: NonNullable<Model["compact"]>;
  bot: BotConfig;
  roomId: number;
  /** The turn's own system prompt and tools, so the turn reads them from the cache entry this call writes. */
  system: TextBlockParam[];
  tools: ToolUnion[];
  history: History;
  /** How many of the oldest turns go into the summary. */
  fold: number;
  signal?: AbortSignal;
}

/**
 * The history with its oldest `fold` turns (and the summary before them) replaced by one new summary, and what
 * writing it used. Null when the API made none or failed: the turn goes on without it (a summary is not worth an
 * unanswered question); only a turn cut short by its time limit stops here.
 */
export async function foldHistory(input: FoldInput): Promise<{ history: History | null; usage: TokenUsage }> {
  const fields = { bot: input.bot.id, room: input.roomId, folded_turns: input.fold };
  try {
    const folded = await summarize(input);
    if (folded.history)
      log("info", "history.summarized", {
        ...fields,
        kept_turns: folded.history.turns.length,
        summary_tokens: summaryTokens(folded.history.summary),
        tokens: { ...folded.usage },
      });
    else log("warn", "history.not_summarized", { ...fields, reason: "no summary", tokens: { ...folded.usage } });
    return folded;
  } catch (error) {
    if (input.signal?.aborted) throw error;
    const failure = asFailure(error);
    log("warn", "history.not_summarized", { ...fields, reason: failure.kind, status: failure.status ?? null });
    return { history: null, usage: { ...NO_USAGE } };
  }
}

async function summarize(input: FoldInput): Promise<{ history: History | null; usage: TokenUsage }> {
  const { history, fold, bot } = input;
  const folded = history.turns.slice(0, fold);
  const bound = summaryBound(bot.historyBudgetTokens);
  const answer = await input.compact(
    {
      model: bot.model,
      maxTokens: bound,
      system: input.system,
      messages: historyMessages({ summary: history.summary, turns: folded }, null),
      tools: input.tools,
      mcpServers: bot.mcpServers,
      instructions: summaryInstructions(bound),
    },
    { signal: input.signal },
  );
  if (!answer.block?.content) return { history: null, usage: answer.usage };
  const summary: Summary = { block: answer.block, upto: contextShownUpto(folded, history.summary?.upto ?? null) };
  return { history: { summary, turns: history.turns.slice(fold) }, usage: answer.usage };
}
