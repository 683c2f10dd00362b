import { containerParam } from "../anthropic/container";
import type { BudgetAccess } from "../budget/access";
import { acknowledge, release } from "../campfire/ack-boost";
import type { Room } from "../campfire/room";
import type { BotConfig } from "../config";
import type { LogFields } from "../log";
import type { Person } from "../tools/tool";
import { cachePlan, cacheToolRound } from "./cache-ttl";
import { addUsage, type Model, NO_USAGE, type TokenUsage } from "./model";
import { runModelLoop } from "./model-loop";
import { roomContext } from "./room-context";
import { budgetReader, reserveTurn, type TurnSpend } from "./spend";
import type { ConversationState, Outgoing } from "./state";
import type { ConversationStore } from "./store";
import { PROGRESS_AFTER_MS, ReplyStreamer } from "./streamer";
import { contextShownUpto, type Turn } from "./transcript";
import { keepReply } from "./turn-answer";
import { foldTurns, historyPlan } from "./turn-history";
import { nextBatch, turnRequest } from "./turn-request";
import { type Reach, turnTools } from "./turn-tools";

export interface TurnSetup {
  store: ConversationStore;
  state: ConversationState;
  bot: BotConfig;
  room: Room;
  model: Model;
  reach: Reach;
  /** Counts each model call, for the turn's subrequests. */
  onAsk: () => void;
  /** The bot's budget in force; absent for a bot without one, whose turns ask no budget object anything. */
  budget?: BudgetAccess;
  /** What the turn reserves and spends, stored by whichever step stores its outcome. */
  spend: TurnSpend;
}

/**
 * Asks the model about the next batch of waiting messages at once, in arrival order, on behalf of the newest one's
 * sender (for a bot that acts for people, the batch's only one): the transcript within the bot's budget, recent room
 * messages as data, tools until it is done, the answer streamed into the room as it comes, all bounded by the bot's
 * time limit. The answer is kept until posted.
 */
export async function answerWaiting({
  store,
  state,
  bot,
  room,
  model,
  reach,
  onAsk,
  budget,
  spend,
}: TurnSetup): Promise<{ outgoing: Outgoing; answered: LogFields; transcript: Turn[] }> {
  const started = Date.now();
  const pending = nextBatch(store, bot);
  const last = pending.at(-1)!;
  const asker: Person = { id: last.userId, name: last.userName };
  const streamer = new ReplyStreamer(
    room,
    state.draft.messageId,
    { posting: () => store.startDraftPost(Date.now()), posted: (id) => store.setDraftMessageId(id) },
    started,
  );
  const timeout = new AbortController();
  // The turn's clocks start with the turn: a slow Campfire read below counts against them.
  const timers = [
    setTimeout(() => timeout.abort(), bot.turnTimeoutMs),
    setTimeout(() => streamer.progress(), PROGRESS_AFTER_MS),
  ];
  // The 👀 goes on while the turn reads the room and asks the model: it is not on the answer's critical path.
  const boosting = acknowledge(room, bot.ackBoost, last.messageId, bot.id);
  let kept = false;
  try {
    await streamer.adoptOrphan(state.draft.postingSince);
    const stored = store.history();
    const { compact, fold, history: start } = historyPlan(stored, model, bot, state.rhythm, started, room.id);
    let history = start;
    const context = await roomContext(
      room,
      store,
      bot.id,
      state.roomName,
      bot.roomContextMessages,
      contextShownUpto(stored.turns, stored.summary?.upto ?? null),
      bot.timeZone,
    );
    const now = new Date();
    const historyTrimmed = fold > 0 || history !== stored;
    const cache = cachePlan({
      rhythm: state.rhythm,
      now: now.getTime(),
      ttlMs: state.ttlMs,
      nextReminderAt: store.reminders.nextDueAt(),
      historyTrimmed,
    });
    const memory = reach.memory(bot, asker);
    const consultable = bot.consult.map((id) => reach.bot(id)).filter((other) => other !== undefined);
    const { prompt, system, messages, tools, custom } = turnRequest({
      bot,
      roomName: state.roomName,
      history,
      pending,
      context,
      now,
      asker,
      memory: memory !== undefined,
      consultable,
      cache,
      budgeted: budget !== undefined,
    });
    const { toolContext, consultUsage } = turnTools({
      reach,
      bot,
      room,
      roomName: state.roomName,
      reminders: store.reminders,
      asker,
      pending,
      now,
      memory,
      model,
      signal: timeout.signal,
      onAsk,
      spend,
    });
    // Before the model is asked: a turn a budget does not allow is not started.
    const notices = budget
      ? await reserveTurn({
          budget,
          spend,
          bot,
          consultable,
          asker,
          roomId: room.id,
          stored: state.budget,
          request: { system, messages, tools },
          now,
        })
      : [];
    if (budget) toolContext.budget = budgetReader(budget, bot, asker, room.id, now);
    let foldUsage: TokenUsage = { ...NO_USAGE };
    if (fold > 0 && compact) {
      const folded = await foldTurns({
        compact,
        bot,
        roomId: room.id,
        system,
        tools,
        history,
        fold,
        signal: timeout.signal,
        onAsk,
        spend,
        store,
        messages,
        ttl: cache.history,
      });
      history = folded.history;
      foldUsage = folded.usage;
    }
    const answer = await runModelLoop({
      model,
      bot,
      system,
      messages,
      tools,
      toolbox: custom,
      toolContext,
      onAsk,
      signal: timeout.signal,
      // Each call at the price of the model that made it (the fallback's, when it answered and has one).
      onUsage: (usage, byFallback) => spend.add(usage, (byFallback && bot.fallbackPrice) || bot.price),
      audit: reach.audit,
      container: bot.codeExecution ? containerParam(state.containerId, bot.skills) : undefined,
      onText: (snapshot) => streamer.update(snapshot),
      cacheRound: (done) => cacheToolRound(state.rhythm.rounds, done),
    });
    await streamer.drain();
    const usage = addUsage(addUsage(answer.usage, consultUsage()), foldUsage);
    const { outgoing, answered } = await keepReply({
      store,
      state,
      spend,
      answer,
      usage,
      pending,
      prompt,
      context,
      notices,
      streamer,
      boosting,
      started,
      now,
      cache,
      historyTrimmed,
    });
    kept = true;
    return { outgoing, answered, transcript: history.turns };
  } finally {
    // Nothing may outlive the turn: no timer, no request, and no 👀 on a question this run did not answer.
    for (const timer of timers) clearTimeout(timer);
    await streamer.drain();
    if (!kept) await release(room, await boosting);
  }
}
