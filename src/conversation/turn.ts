import type { Room } from "../campfire/room";
import type { BotConfig } from "../config";
import { type LogFields, log } from "../log";
import { orphanedDraft } from "./delivery";
import type { Model } from "./model";
import { runModelLoop } from "./model-loop";
import { buildPrompt, composeTurn, currentTime, systemPrompt } from "./prompt";
import { roomContext } from "./room-context";
import type { ConversationState, Outgoing } from "./state";
import type { ConversationStore } from "./store";
import { PROGRESS_AFTER_MS, ReplyStreamer } from "./streamer";
import { toolsFor } from "../tools/run";
import { turnsToDrop } from "./transcript";

/** At most this many waiting messages make one turn; a bigger burst is answered in several. */
export const MESSAGES_PER_TURN = 20;

export interface TurnSetup {
  store: ConversationStore;
  state: ConversationState;
  bot: BotConfig;
  room: Room;
  model: Model;
  /** Counts each model call, for the turn's subrequests. */
  onAsk: () => void;
}

/**
 * Asks the model about the oldest waiting messages at once, in arrival order, on behalf of the newest one's
 * sender: the transcript within the bot's budget, recent room messages as data, tools until it is done, the
 * answer streamed into the room as it comes, all bounded by the bot's time limit. The answer is kept until posted.
 */
export async function answerWaiting({ store, state, bot, room, model, onAsk }: TurnSetup): Promise<{ outgoing: Outgoing; answered: LogFields }> {
  const started = Date.now();
  const pending = store.pending(MESSAGES_PER_TURN);
  const last = pending.at(-1)!;
  const streamer = new ReplyStreamer(room, state.draft.messageId, { posting: () => store.startDraftPost(Date.now()), posted: (id) => store.setDraftMessageId(id) }, started);
  const timeout = new AbortController();
  // The turn's clocks start with the turn: a slow Campfire read below counts against them.
  const timers = [setTimeout(() => timeout.abort(), bot.turnTimeoutMs), setTimeout(() => streamer.progress(), PROGRESS_AFTER_MS)];
  try {
    if (state.draft.messageId === null) streamer.adopt(await orphanedDraft(room, store, state.draft.postingSince));
    const transcript = trimmed(store, bot, room.id);
    const context = await roomContext(room, store, bot.id, state.roomName, bot.roomContextMessages);
    const prompt = composeTurn(pending);
    const now = new Date();
    const { system, messages } = buildPrompt(systemPrompt(bot, state.roomName), transcript, prompt, [context, currentTime(now, bot.timeZone)].filter(Boolean).join("\n\n"));
    const asker = { id: last.userId, name: last.userName };
    const answer = await runModelLoop({
      model, bot, system, messages, tools: toolsFor(bot), onAsk, signal: timeout.signal,
      toolContext: { botId: bot.id, room, reminders: store.reminders, asker, timeZone: bot.timeZone, now },
      onText: (snapshot) => streamer.update(snapshot),
    });
    await streamer.settle();
    const outgoing: Outgoing = { kind: "reply", uptoSeq: last.seq, prompt, markdown: answer.text || emptyAnswer(answer.stopReason), messageId: streamer.shownMessageId, posted: 0, queuedAt: Date.now() };
    store.keepAnswer(outgoing, answer.usage);
    const answered = { claude_ms: Date.now() - started, messages: pending.length, stop: answer.stopReason, streamed: streamer.shownMessageId !== null, tokens: { ...answer.usage } };
    return { outgoing, answered };
  } finally {
    // Nothing may outlive the turn: no timer, no request.
    for (const timer of timers) clearTimeout(timer);
    await streamer.settle();
  }
}

/** The transcript as this turn sends it; what is dropped here is dropped for good when the turn settles. */
function trimmed(store: ConversationStore, bot: BotConfig, roomId: number) {
  const transcript = store.transcript();
  const drop = turnsToDrop(transcript, bot.historyBudgetTokens);
  if (drop > 0) log("info", "history.trimmed", { bot: bot.id, room: roomId, dropped_turns: drop, kept_turns: transcript.length - drop });
  return transcript.slice(drop);
}

function emptyAnswer(stopReason: string | null): string {
  return stopReason === "max_tokens" ? "_(My answer ran past this bot's max_tokens before any text; ask me to be briefer.)_" : "_(I have nothing to add.)_";
}
