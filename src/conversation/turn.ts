import { containerParam } from "../anthropic/container";
import type { BudgetAccess } from "../budget/access";
import { acknowledge, release } from "../campfire/ack-boost";
import type { Room } from "../campfire/room";
import type { BotConfig } from "../config";
import { pausedSentence } from "../control/status";
import type { DigestsApi } from "../digests/access";
import type { KnowledgeAccess } from "../knowledge/access";
import { type LogFields, log } from "../log";
import type { TasksApi } from "../memory/tasks-tool";
import type { MemoryApi } from "../memory/tool";
import { withNotes } from "../schedules/material";
import { type Person, ToolError } from "../tools/tool";
import { afterTurn, cachePlan, cacheToolRound, historyWarm, storedRhythm } from "./cache-ttl";
import { foldHistory, turnsToFold } from "./compaction";
import { consultBot } from "./consult";
import type { AuditSink } from "./effects";
import { addUsage, type Model, NO_USAGE, type TokenUsage } from "./model";
import { runModelLoop } from "./model-loop";
import { historyMessages } from "./prompt";
import { roomContext } from "./room-context";
import { budgetReader, reserveTurn, type TurnSpend } from "./spend";
import type { ConversationState, Outgoing } from "./state";
import type { ConversationStore } from "./store";
import { PROGRESS_AFTER_MS, ReplyStreamer } from "./streamer";
import type { TurnToolContext } from "./toolbox";
import { contextShownUpto, type History, summaryTokens, type Turn, withinBudget } from "./transcript";
import { nextBatch, turnRequest } from "./turn-request";

/** What lies beyond the conversation that a turn may reach, bound by the edge for this bot. */
export interface Reach {
  knowledge(bot: BotConfig): KnowledgeAccess | undefined;
  /** The person's memory with the bot; fixed for the whole turn, so nothing in it can reach another person's. */
  memory(bot: BotConfig, person: Person): MemoryApi | undefined;
  /** The person's digest subscriptions with the bot, in this room (by its name); fixed for the turn like memory. */
  digests(bot: BotConfig, person: Person, roomName: string): DigestsApi | undefined;
  /** The person's task list with the bot, fixed for the whole turn like their memory. */
  tasks(bot: BotConfig, person: Person): TasksApi | undefined;
  bot(id: string): BotConfig | undefined;
  /** A consulted bot's usage, to count under that bot too. */
  consulted(botId: string, usage: TokenUsage): void;
  /** Records what a tool run changed in that bot's audit log. */
  audit: AuditSink;
  /** Whether an operator has paused the bot: a paused bot answers no consultation either. */
  paused(botId: string): Promise<boolean>;
}

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
    const compact = model.compact?.bind(model);
    const fold = compact
      ? turnsToFold({
          turns: stored.turns,
          summaryTokens: summaryTokens(stored.summary),
          budget: bot.historyBudgetTokens,
          cold: !historyWarm(state.rhythm, started),
        })
      : 0;
    // Folded into the summary once the budget allows the turn; without one to make, what is over the budget goes.
    let history = fold > 0 ? stored : dropped(stored, bot, room.id);
    const context = await roomContext(
      room,
      store,
      bot.id,
      state.roomName,
      bot.roomContextMessages,
      contextShownUpto(stored.turns, stored.summary?.upto ?? null),
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
    const knowledge = reach.knowledge(bot);
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
    let consultUsage: TokenUsage = { ...NO_USAGE };
    const toolContext: TurnToolContext = {
      botId: bot.id,
      room,
      reminders: store.reminders,
      asker,
      // Their first: what they had not seen when they asked lies before it.
      askerMessageId: pending.find((message) => message.userId === asker.id)?.messageId ?? undefined,
      timeZone: bot.timeZone,
      now,
      knowledge,
      memory,
      digests: reach.digests(bot, asker, state.roomName),
      tasks: reach.tasks(bot, asker),
    };
    toolContext.consult = async (otherId, question) => {
      const other = reach.bot(otherId)!;
      if (await reach.paused(otherId)) throw new ToolError(`${pausedSentence(other.name)} Answer without it.`);
      // Paid from this turn's reservation, at the consulted bot's model's price.
      const answer = await consultBot({
        model,
        caller: bot,
        other,
        question,
        context: toolContext,
        knowledge: reach.knowledge(other),
        signal: timeout.signal,
        onAsk,
        onUsage: (usage) => spend.add(usage, other.price),
        audit: reach.audit,
      });
      consultUsage = addUsage(consultUsage, answer.usage);
      reach.consulted(otherId, answer.usage);
      return answer.text;
    };
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
      onAsk();
      const folded = await foldHistory({
        compact,
        bot,
        roomId: room.id,
        system,
        tools,
        history,
        fold,
        signal: timeout.signal,
      });
      foldUsage = folded.usage;
      spend.add(folded.usage, bot.price);
      if (folded.history) store.keepHistory(folded.history);
      history = folded.history ?? dropped(history, bot, room.id);
      // The request's history is the new one; the turn's own message (its last) stays as it was.
      messages.splice(0, messages.length - 1, ...historyMessages(history, cache.history));
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
    const usage = addUsage(addUsage(answer.usage, consultUsage), foldUsage);
    const outgoing: Outgoing = {
      kind: "reply",
      uptoSeq: last.seq,
      prompt,
      context,
      // Composed once and kept: a retried delivery posts the same text, and the kept briefing is what was posted.
      markdown: [
        withNotes(
          answer.text || emptyAnswer(answer.stopReason, answer.fileIds.length),
          pending.flatMap((message) => message.notes),
        ),
        ...notices,
      ].join("\n\n"),
      messageId: streamer.shownMessageId,
      posted: 0,
      queuedAt: Date.now(),
      files: answer.fileIds,
      boost: await boosting,
    };
    store.keepAnswer(
      outgoing,
      usage,
      answer.containerId,
      spend.current(state.budget),
      answer.fallbackModel !== undefined,
      storedRhythm(
        afterTurn(state.rhythm, {
          startedAt: now.getTime(),
          endedAt: Date.now(),
          cached: answer.usage.cacheRead + answer.usage.cacheWrite > 0,
          plan: cache,
          historyTrimmed,
          toolRounds: answer.calls - 1,
        }),
      ),
      { claudeMicros: spend.spentMicros },
    );
    kept = true;
    const answered = {
      claude_ms: Date.now() - started,
      messages: pending.length,
      stop: answer.stopReason,
      streamed: streamer.shownMessageId !== null,
      files: answer.fileIds.length,
      tokens: { ...usage },
      cache_ttl: [cache.system, cache.history, cache.turn].map((ttl) => ttl ?? "none").join(","),
      ...(answer.fallbackModel ? { fallback: answer.fallbackModel } : {}),
    };
    return { outgoing, answered, transcript: history.turns };
  } finally {
    // Nothing may outlive the turn: no timer, no request, and no 👀 on a question this run did not answer.
    for (const timer of timers) clearTimeout(timer);
    await streamer.drain();
    if (!kept) await release(room, await boosting);
  }
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

function emptyAnswer(stopReason: string | null, files: number): string {
  if (files > 0) return files === 1 ? "Here is the file." : `Here are the ${files} files.`;
  return stopReason === "max_tokens"
    ? "_(My answer ran past this bot's max_tokens before any text; ask me to be briefer.)_"
    : "_(I have nothing to add.)_";
}
