import type { BudgetAccess } from "../budget/access";
import { release } from "../campfire/ack-boost";
import type { Room } from "../campfire/room";
import type { BotConfig } from "../config";
import { asFailure, explainToRoom, type FailureTally, ServiceFailure, tallyOf } from "../failure";
import { type LogFields, log } from "../log";
import { FileFetchPending, postOutgoing } from "./delivery";
import { billingFields, type Ledger } from "./meter";
import { type Model, NO_USAGE } from "./model";
import { answerRetriesOver, retryAfterFailure } from "./retry";
import { BudgetRefused, type TurnSpend, withoutNotices } from "./spend";
import type { ConversationState, Outgoing } from "./state";
import type { ConversationStore } from "./store";
import { appendExchange, type Turn } from "./transcript";
import { answerWaiting } from "./turn";
import { nextBatch } from "./turn-request";
import type { Reach } from "./turn-tools";

/** What the steps of a turn need from the object running them. */
export interface StepContext {
  store: ConversationStore;
  bot: BotConfig;
  room: Room;
  model: () => Model;
  reach: Reach;
  onAsk: () => void;
  /** The object's billable work not yet stored / not yet logged. */
  billing: Ledger;
  /** The bot's budget in force for a turn; undefined for a bot without one (then no budget object is asked). */
  budget: () => Promise<BudgetAccess | undefined>;
  /** What this run's turn reserves and spends against the budget. */
  spend: TurnSpend;
  /** Keeps a scheduled turn's posted answer in its schedule's library; never throws. Absent when no schedule here keeps answers. */
  keepAnswer?: (firings: string[], markdown: string) => Promise<void>;
}

/** Answers the waiting messages and posts the answer; a failure is retried later or explained to the room. */
export async function answerStep(ctx: StepContext, state: ConversationState): Promise<void> {
  // Its tries are spent, and only the apology could not be stored: never ask the model again, only apologise.
  if (answerRetriesOver(state.retry))
    return apologize(ctx, new ServiceFailure("bot", "internal", "answer retries spent"), state);
  let turn: Awaited<ReturnType<typeof answerWaiting>>;
  try {
    const budget = await ctx.budget();
    turn = await answerWaiting({
      store: ctx.store,
      state,
      bot: ctx.bot,
      room: ctx.room,
      model: ctx.model(),
      reach: ctx.reach,
      onAsk: ctx.onAsk,
      budget,
      spend: ctx.spend,
    });
  } catch (error) {
    if (error instanceof BudgetRefused) return refuse(ctx, error);
    return failStep(ctx, "answer", error);
  }
  await deliverStep(ctx, turn.outgoing, false, turn.answered, turn.transcript);
}

/**
 * Posts a stored answer, then settles it: its messages leave the inbox and the exchange joins the transcript
 * (the one the turn just sent, when there is one: no second read and parse of a long conversation).
 */
export async function deliverStep(
  ctx: StepContext,
  outgoing: Outgoing,
  mayBeRepeat: boolean,
  turn: LogFields = {},
  sent?: Turn[],
): Promise<void> {
  const fields = { bot: ctx.bot.id, room: ctx.room.id, kind: outgoing.kind };
  const started = Date.now();
  try {
    // Read before settling drops them: which schedules' firings this answer is for, to keep it once posted.
    const firings = ctx.keepAnswer && outgoing.kind === "reply" ? ctx.store.firingsUpto(outgoing.uptoSeq) : [];
    const model = outgoing.files.length ? ctx.model() : null;
    await postOutgoing(ctx.room, ctx.store, outgoing, mayBeRepeat, model?.fetchFile?.bind(model));
    const transcript =
      outgoing.kind === "reply"
        ? appendExchange(
            sent ?? ctx.store.history().turns,
            outgoing.prompt,
            withoutNotices(outgoing.markdown),
            outgoing.context,
          )
        : null;
    ctx.store.settle(outgoing.uptoSeq, transcript, Date.now(), ctx.billing.toStore());
    ctx.billing.stored();
    log("info", "reply.posted", {
      ...fields,
      ...turn,
      ms: Date.now() - started,
      edited: outgoing.messageId !== null,
      billing: billingFields(ctx.billing.toLog()),
    });
    ctx.billing.logged();
    if (firings.length) await ctx.keepAnswer!(firings, withoutNotices(outgoing.markdown));
    await release(ctx.room, outgoing.boost);
  } catch (error) {
    // Claude's answer is kept for the retry; its usage is logged now, as it is billed now.
    if (turn.tokens) log("info", "claude.answered", { ...fields, ...turn });
    await failStep(ctx, "deliver", error, outgoing);
  }
}

/**
 * A stage failed. A retryable failure (an unexpected error included) is tried again later with back-off;
 * otherwise, or once that runs out, an unanswered turn gets one clear apology and an unpostable answer is dropped.
 * A file still failing at Anthropic comes with its retry decided (its budget's end is a note, never a drop).
 */
async function failStep(
  ctx: StepContext,
  stage: "answer" | "deliver",
  error: unknown,
  outgoing?: Outgoing,
): Promise<void> {
  const pending = error instanceof FileFetchPending ? error : null;
  const failure = asFailure(pending?.failure ?? error);
  const state = ctx.store.state()!;
  const now = Date.now();
  const fields = {
    bot: ctx.bot.id,
    room: ctx.room.id,
    stage: pending ? "fetch_file" : stage,
    service: failure.service,
    kind: failure.kind,
    status: failure.status ?? null,
    error: failure.message.slice(0, 300),
  };
  if (failure.kind === "internal")
    log("error", "internal.error", { ...fields, stack: (error as Error)?.stack?.slice(0, 1_500) ?? null });
  const history = stage === "answer" && summaryRefused(failure) ? ctx.store.history() : null;
  if (history?.summary) {
    // Kept, the summary the API no longer takes would fail every later turn until the TTL: the turn goes without it.
    ctx.store.keepHistory({ ...history, summary: null });
    ctx.store.recordRetry(
      state.retry.attempts + 1,
      state.retry.since ?? now,
      now,
      ctx.spend.current(state.budget),
      tallyOf(failure),
    );
    log("warn", "history.summary_refused", fields);
    return;
  }
  const decision = pending?.decision ?? retryAfterFailure(stage, failure, state.retry, state.ttlMs, now);
  if ("retryAt" in decision) {
    ctx.store.recordRetry(
      decision.attempts,
      decision.since,
      decision.retryAt,
      ctx.spend.current(state.budget),
      tallyOf(failure),
    );
    log("warn", "retry.scheduled", { ...fields, attempts: decision.attempts, in_ms: decision.retryAt - now });
    return;
  }
  log("error", failure.retryable ? "retry.exhausted" : "request.failed", { ...fields, attempts: decision.attempts });
  if (stage === "answer") return apologize(ctx, failure, state);
  // An apology that cannot be posted, or an answer Campfire will not take: settled without entering the transcript.
  ctx.store.settle(outgoing!.uptoSeq, null, now, ctx.billing.toStore(), tallyOf(failure));
  ctx.billing.stored();
  log("error", "reply.dropped", { ...fields, reply: outgoing!.kind });
}

/** One message to the room saying why there is no answer; a progress line or half-streamed text becomes it. */
function apologize(ctx: StepContext, failure: ServiceFailure, state: ConversationState): Promise<void> {
  return tellInstead(ctx, `Sorry, I could not answer: ${explainToRoom(failure)}`, state, tallyOf(failure));
}

/** A budget does not allow the turn: the room is told which, and when it resets, instead of an answer. */
function refuse(ctx: StepContext, refusal: BudgetRefused): Promise<void> {
  log("info", "budget.refused", { bot: ctx.bot.id, room: ctx.room.id, budget: refusal.kind });
  // Read again: a progress line this run posted becomes the sentence.
  return tellInstead(ctx, refusal.sentence, ctx.store.state()!, "refused");
}

/** Posts `markdown` in place of the turn's answer and settles the messages the turn would have answered. */
async function tellInstead(
  ctx: StepContext,
  markdown: string,
  state: ConversationState,
  failed: FailureTally,
): Promise<void> {
  // It settles exactly what the turn would have answered, and no one else's messages.
  const last = nextBatch(ctx.store, ctx.bot).at(-1);
  if (!last) return;
  await answerInstead(ctx, state, last.seq, markdown, failed);
}

/** The bot is paused: everything waiting is settled with `sentence`, posted once, and no model is asked. */
export async function pausedStep(ctx: StepContext, state: ConversationState, sentence: string): Promise<void> {
  const last = ctx.store.lastWaitingSeq();
  if (last !== null) await answerInstead(ctx, state, last, sentence, "refused", { rule: "paused" });
}

/**
 * A message in place of an answer, settling the messages up to `uptoSeq` without entering the transcript; the
 * failure or refusal it stands for is counted in the same write.
 */
async function answerInstead(
  ctx: StepContext,
  state: ConversationState,
  uptoSeq: number,
  markdown: string,
  failed: FailureTally,
  fields: LogFields = {},
): Promise<void> {
  const outgoing: Outgoing = {
    kind: "error",
    uptoSeq,
    prompt: "",
    context: null,
    markdown,
    messageId: state.draft.messageId,
    posted: 0,
    queuedAt: Date.now(),
    files: [],
    boost: null,
  };
  ctx.store.keepAnswer(outgoing, NO_USAGE, null, ctx.spend.current(state.budget), false, null, { failed });
  await deliverStep(ctx, outgoing, false, fields);
}

/** Claude's API refused the summary sent first (its compaction block: a bad signature, a beta withdrawn, …). */
const summaryRefused = (failure: ServiceFailure) =>
  failure.service === "anthropic" && failure.kind === "bad_request" && /\(compaction_[a-z_]+\)/.test(failure.message);
