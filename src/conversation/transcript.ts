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

export const estimateTokens = (text: string) => Math.ceil(text.length / 4);
const turnTokens = (turn: Turn) =>
  estimateTokens(turn.content) + (turn.context ? estimateTokens(turn.context.text) : 0);

/** The newest room message the transcript has shown as context; a turn shows only those after it. */
export function contextShownUpto(turns: Turn[]): number | null {
  return turns.reduce<number | null>(
    (upto, turn) => (turn.context && (upto === null || turn.context.upto > upto) ? turn.context.upto : upto),
    null,
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

/** The transcript within `budget`: what a turn sends, and what it keeps once answered. */
export function withinBudget(turns: Turn[], budget: number): Turn[] {
  const drop = turnsToDrop(turns, budget);
  return drop === 0 ? turns : turns.slice(drop);
}

/** The transcript after an answered turn: trimmed as the turn saw it, then the exchange added, with its room context. */
export function appendExchange(
  turns: Turn[],
  budget: number,
  prompt: string,
  answer: string,
  context: RoomContext | null = null,
): Turn[] {
  return [
    ...withinBudget(turns, budget),
    { role: "user", content: prompt, ...(context ? { context } : {}) },
    { role: "assistant", content: answer },
  ];
}
