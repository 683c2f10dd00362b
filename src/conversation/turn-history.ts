import type { BotConfig } from "../config";
import { log } from "../log";
import { type CacheTtl, historyWarm, type Rhythm } from "./cache-ttl";
import { type FoldInput, foldHistory, turnsToFold } from "./compaction";
import type { Model, RequestMessage, TokenUsage } from "./model";
import { historyMessages } from "./prompt";
import type { TurnSpend } from "./spend";
import type { ConversationStore } from "./store";
import { type History, summaryTokens, withinBudget } from "./transcript";

// The history a turn sends: the stored one within the bot's budget, its oldest turns folded into the summary when
// the model can write one, else dropped.

/** How many of the oldest turns this turn folds into the summary (0: none), and the history it starts from. */
export function historyPlan(
  stored: History,
  model: Model,
  bot: BotConfig,
  rhythm: Rhythm,
  started: number,
  roomId: number,
): { compact: FoldInput["compact"] | undefined; fold: number; history: History } {
  const compact = model.compact?.bind(model);
  const fold = compact
    ? turnsToFold({
        turns: stored.turns,
        summaryTokens: summaryTokens(stored.summary),
        budget: bot.historyBudgetTokens,
        cold: !historyWarm(rhythm, started),
      })
    : 0;
  // Folded into the summary once the budget allows the turn; without one to make, what is over the budget goes.
  return { compact, fold, history: fold > 0 ? stored : dropped(stored, bot, roomId) };
}

export interface FoldStep extends FoldInput {
  /** Counts the model call, for the turn's subrequests. */
  onAsk: () => void;
  spend: TurnSpend;
  store: ConversationStore;
  /** The turn's request, whose history this step replaces. */
  messages: RequestMessage[];
  ttl: CacheTtl | null;
}

/** Writes the summary, paid like the turn's other calls and kept at once, and sends the new history in the request. */
export async function foldTurns({
  onAsk,
  spend,
  store,
  messages,
  ttl,
  ...input
}: FoldStep): Promise<{ history: History; usage: TokenUsage }> {
  onAsk();
  const folded = await foldHistory(input);
  spend.add(folded.usage, input.bot.price);
  if (folded.history) store.keepHistory(folded.history);
  const history = folded.history ?? dropped(input.history, input.bot, input.roomId);
  // The request's history is the new one; the turn's own message (its last) stays as it was.
  messages.splice(0, messages.length - 1, ...historyMessages(history, ttl));
  return { history, usage: folded.usage };
}

/** The history without the oldest turns over the budget; what is dropped here is dropped for good when the turn settles. */
function dropped(history: History, bot: BotConfig, roomId: number): History {
  const kept = withinBudget(history, bot.historyBudgetTokens);
  if (kept !== history)
    log("info", "history.trimmed", {
      bot: bot.id,
      room: roomId,
      dropped_turns: history.turns.length - kept.turns.length,
      kept_turns: kept.turns.length,
    });
  return kept;
}
