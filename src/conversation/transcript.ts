import type { CompactionBlock } from "./model";

/** One entry of what Claude sees of the conversation: a user turn (the people's messages) or the bot's answer. */
export interface Turn {
  role: "user" | "assistant";
  content: string;
  /** A user turn's room context as it was shown with it: kept, so later turns read it from the cache, not again. */
  context?: RoomContext;
}

/** Room messages not sent to the bot, framed as data, and the newest one's Campfire id. */
export interface RoomContext {
  text: string;
  upto: number;
}

/** What the conversation keeps of the turns it no longer sends whole: the API's summary of them. */
export interface Summary {
  block: CompactionBlock;
  /** The newest room message the summarized turns had shown as context, so it is not shown again. */
  upto: number | null;
}

/** What Claude is sent of the conversation before the turn: the summary of what was dropped, then the turns. */
export interface History {
  summary: Summary | null;
  turns: Turn[];
}

export const estimateTokens = (text: string) => Math.ceil(text.length / 4);
export const turnTokens = (turn: Turn) =>
  estimateTokens(turn.content) + (turn.context ? estimateTokens(turn.context.text) : 0);
export const summaryTokens = (summary: Summary | null) => (summary ? estimateTokens(summary.block.content ?? "") : 0);

/** The newest room message the history has shown as context (`since`: the summary's); a turn shows only those after it. */
export function contextShownUpto(turns: Turn[], since: number | null = null): number | null {
  return turns.reduce<number | null>(
    (upto, turn) => (turn.context && (upto === null || turn.context.upto > upto) ? turn.context.upto : upto),
    since,
  );
}

/**
 * How many of the oldest turns to drop so the transcript fits `budget` tokens (estimated locally, no API call).
 * Whole exchanges go — a user turn with everything answering it — never half of one. Once over budget it trims
 * down to three quarters of it, so the cached prefix changes only now and then, not every turn.
 */
export function turnsToDrop(turns: Turn[], budget: number): number {
  let remaining = turns.reduce((sum, turn) => sum + turnTokens(turn), 0);
  if (remaining <= budget) return 0;
  let drop = 0;
  while (drop < turns.length && remaining > budget * 0.75) {
    do remaining -= turnTokens(turns[drop++]!);
    while (drop < turns.length && turns[drop]!.role !== "user");
  }
  return drop;
}

/** The history without its oldest turns over `budget`, the summary's share of it counted: what dropping leaves. */
export function withinBudget(history: History, budget: number): History {
  const drop = turnsToDrop(history.turns, budget - summaryTokens(history.summary));
  return drop === 0 ? history : { summary: history.summary, turns: history.turns.slice(drop) };
}

/**
 * The transcript after an answered turn: the turns it sent, then the exchange, with its room context. Only a turn's
 * start makes history smaller (summarizing or dropping), so an answer delivered on a later run loses nothing.
 */
export function appendExchange(
  turns: Turn[],
  prompt: string,
  answer: string,
  context: RoomContext | null = null,
): Turn[] {
  return [
    ...turns,
    { role: "user", content: prompt, ...(context ? { context } : {}) },
    { role: "assistant", content: answer },
  ];
}
