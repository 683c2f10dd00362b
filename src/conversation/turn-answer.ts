import type { AckBoost } from "../campfire/ack-boost";
import type { LogFields } from "../log";
import { withNotes } from "../schedules/material";
import { afterTurn, type CachePlan, storedRhythm } from "./cache-ttl";
import type { TokenUsage } from "./model";
import type { LoopAnswer } from "./model-loop";
import type { TurnSpend } from "./spend";
import type { ConversationState, Outgoing, PendingMessage } from "./state";
import type { ConversationStore } from "./store";
import type { ReplyStreamer } from "./streamer";
import type { RoomContext } from "./transcript";

export interface Reply {
  store: ConversationStore;
  state: ConversationState;
  spend: TurnSpend;
  answer: LoopAnswer;
  /** What the whole turn used: the answer, the bots it consulted and the summary it wrote. */
  usage: TokenUsage;
  /** The messages the turn answers, in arrival order. */
  pending: PendingMessage[];
  prompt: string;
  context: RoomContext | null;
  /** The budgets' notices, after the answer. */
  notices: string[];
  streamer: ReplyStreamer;
  boosting: Promise<AckBoost | null>;
  /** When the turn began: its `claude_ms` counts from here. */
  started: number;
  /** The turn's now, after its room read: the rhythm's turn starts here. */
  now: Date;
  cache: CachePlan;
  historyTrimmed: boolean;
}

/** Keeps the answer until it is posted, with what the turn used and its rhythm; returns it and the turn's log fields. */
export async function keepReply(reply: Reply): Promise<{ outgoing: Outgoing; answered: LogFields }> {
  const { answer, pending, streamer, cache, spend, state } = reply;
  const outgoing: Outgoing = {
    kind: "reply",
    uptoSeq: pending.at(-1)!.seq,
    prompt: reply.prompt,
    context: reply.context,
    // Composed once and kept: a retried delivery posts the same text, and the kept briefing is what was posted.
    markdown: [
      withNotes(
        answer.text || emptyAnswer(answer.stopReason, answer.fileIds.length),
        pending.flatMap((message) => message.notes),
      ),
      ...reply.notices,
    ].join("\n\n"),
    messageId: streamer.shownMessageId,
    posted: 0,
    queuedAt: Date.now(),
    files: answer.fileIds,
    boost: await reply.boosting,
  };
  reply.store.keepAnswer(
    outgoing,
    reply.usage,
    answer.containerId,
    spend.current(state.budget),
    answer.fallbackModel !== undefined,
    storedRhythm(
      afterTurn(state.rhythm, {
        startedAt: reply.now.getTime(),
        endedAt: Date.now(),
        cached: answer.usage.cacheRead + answer.usage.cacheWrite > 0,
        plan: cache,
        historyTrimmed: reply.historyTrimmed,
        toolRounds: answer.calls - 1,
      }),
    ),
    { claudeMicros: spend.spentMicros },
  );
  const answered = {
    claude_ms: Date.now() - reply.started,
    messages: pending.length,
    stop: answer.stopReason,
    streamed: streamer.shownMessageId !== null,
    files: answer.fileIds.length,
    tokens: { ...reply.usage },
    cache_ttl: [cache.system, cache.history, cache.turn].map((ttl) => ttl ?? "none").join(","),
    ...(answer.fallbackModel ? { fallback: answer.fallbackModel } : {}),
  };
  return { outgoing, answered };
}

function emptyAnswer(stopReason: string | null, files: number): string {
  if (files > 0) return files === 1 ? "Here is the file." : `Here are the ${files} files.`;
  return stopReason === "max_tokens"
    ? "_(My answer ran past this bot's max_tokens before any text; ask me to be briefer.)_"
    : "_(I have nothing to add.)_";
}
