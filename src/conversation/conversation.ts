import { DurableObject } from "cloudflare:workers";
import { type Config, loadConfig } from "../config";
import { explainToRoom, type ServiceFailure, toServiceFailure } from "../failure";
import { type LogFields, log } from "../log";
import type { ConversationReport } from "../registry/registry";
import { registryFor } from "../registry/shards";
import type { InboundMessage } from "../webhook/payload";
import { composeTurn } from "./prompt";
import { postDueReminder } from "./remind";
import { decideRetry } from "./retry";
import { type ConversationState, ConversationStore, type Outgoing } from "./store";
import { askClaude, postOutgoing } from "./turn";

/**
 * One conversation: a Campfire room talking to one bot. It is named `<room id>:<bot id>`.
 * Webhooks only store messages; the single alarm does the rest — answer now, retry later, or forget the
 * conversation at last activity + TTL — so nothing runs and nothing is held in memory between events.
 */
export class Conversation extends DurableObject<Env> {
  private readonly store = new ConversationStore(this.ctx.storage);
  /** A turn is in flight; its end reschedules the alarm, so an overlapping alarm has nothing to do. */
  private busy = false;
  /** The last report the registry acknowledged, to skip sending the same one twice. */
  private reported = "";

  /** Called by the webhook route: stores the message and wakes the alarm, in one synchronous step. */
  async receive(botId: string, message: InboundMessage): Promise<"queued" | "duplicate"> {
    const config = loadConfig(this.env);
    const ttlMs = config.bots.get(botId)?.sessionTtlMs ?? config.sessionTtlMs;
    const queued = this.store.receive(botId, ttlMs, message, Date.now());
    if (queued) await this.reschedule();
    // The caller logs the outcome: one line per webhook, because every log line has a cost.
    return queued ? "queued" : "duplicate";
  }

  override async alarm(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      // Before the step too, so a new conversation or a waiting message is counted while Claude thinks.
      await this.report();
      await this.step();
    } catch (error) {
      log("error", "conversation.step_failed", { error: (error as Error).message });
    } finally {
      this.busy = false;
      await this.reschedule();
      await this.report();
    }
  }

  /** Where the conversation stands (for the playground's countdown); null when there is none. */
  async describe(): Promise<{ lastActivityAt: number; ttlMs: number; turns: number } | null> {
    const state = this.store.state();
    return state && { lastActivityAt: state.lastActivityAt, ttlMs: state.ttlMs, turns: state.turns };
  }

  /** Ends the conversation now (admin request): storage and alarm are deleted. False if there was none. */
  async end(): Promise<boolean> {
    const state = this.store.state();
    if (!state) return false;
    await this.evict(state, "admin");
    return true;
  }

  private snapshot(state: ConversationState): ConversationReport {
    return {
      roomId: state.roomId,
      startedAt: state.startedAt,
      lastActivityAt: state.lastActivityAt,
      ttlMs: state.ttlMs,
      turns: state.turns,
      waiting: this.store.waitingCount(),
      retrying: state.retryAt !== null,
      usage: state.usage,
    };
  }

  /** Tells the bot's registry shard where this conversation stands; a failure only costs metrics accuracy. */
  private async report(): Promise<void> {
    const state = this.store.state();
    if (!state) return;
    const snapshot = this.snapshot(state);
    const key = JSON.stringify(snapshot);
    if (key === this.reported) return;
    try {
      await registryFor(this.env, state.botId, state.roomId).report(snapshot);
      this.reported = key;
    } catch (error) {
      log("warn", "registry.report_failed", { bot: state.botId, room: state.roomId, error: (error as Error).message });
    }
  }

  /** Sets the one alarm to the earliest pending deadline: work now, a retry, or eviction. */
  private async reschedule(): Promise<void> {
    const state = this.store.state();
    if (!state) return;
    const deadlines: number[] = [];
    const pending = this.store.hasPendingWork();
    if (pending) deadlines.push(state.retryAt ?? Date.now());
    const reminder = this.store.reminders.nextDueAt();
    if (reminder !== null) deadlines.push(reminder);
    // Not forgotten while work or a reminder is pending: the TTL counts from the last of them.
    else if (!pending) deadlines.push(state.lastActivityAt + state.ttlMs);
    await this.ctx.storage.setAlarm(Math.min(...deadlines));
  }

  private async step(): Promise<void> {
    const state = this.store.state();
    if (!state) return;
    const config = loadConfig(this.env);
    const now = Date.now();
    const [reminder] = this.store.reminders.all();
    if (reminder && reminder.dueAt <= now) return postDueReminder(this.store, state, config, reminder);
    if (!this.store.hasPendingWork()) {
      // Checking the clock keeps an early wake-up from forgetting a live chat.
      if (!reminder && now >= state.lastActivityAt + state.ttlMs) await this.evict(state, "ttl");
      return;
    }
    // An answer stored by an earlier run may already be in the room: that run can die between Campfire's
    // "created" and recording it. Its delivery first looks for it there.
    const stored = this.store.outgoing();
    const started = Date.now();
    const fresh = stored ? null : await this.answer(state, config);
    const outgoing = stored ?? fresh?.outgoing;
    if (outgoing) await this.deliver(state, config, outgoing, stored !== null, { ...fresh?.answered, turn_ms: Date.now() - started });
  }

  /**
   * Asks Claude about every waiting message at once, in arrival order; keeps the answer until it is posted.
   * `answered` describes Claude's part, for the one line logged when the reply is delivered.
   */
  private async answer(state: ConversationState, config: Config): Promise<{ outgoing: Outgoing | null; answered?: LogFields }> {
    const pending = this.store.pending();
    const last = pending.at(-1);
    if (!last) return { outgoing: null };
    const prompt = composeTurn(pending);
    const started = Date.now();
    try {
      const answer = await askClaude(this.store, state, config, prompt, last.userName);
      this.store.recordUsage(answer.usage);
      const answered = { claude_ms: Date.now() - started, messages: pending.length, stop: answer.stopReason, streamed: answer.messageId !== null, tokens: { ...answer.usage } };
      const outgoing: Outgoing = {
        kind: "reply",
        uptoSeq: last.seq,
        prompt,
        markdown: answer.text || emptyAnswer(answer.stopReason),
        messageId: answer.messageId,
        posted: 0,
        queuedAt: Date.now(),
      };
      this.store.queueOutgoing(outgoing);
      return { outgoing, answered };
    } catch (error) {
      const failure = toServiceFailure(error, "anthropic");
      const apology = `Sorry, I could not answer: ${explainToRoom(failure)}`;
      // A progress line or half-streamed text already in the room becomes the apology.
      const fallback: Outgoing = { kind: "error", uptoSeq: last.seq, prompt, markdown: apology, messageId: this.store.draftMessageId(), posted: 0, queuedAt: Date.now() };
      return { outgoing: this.retryOrGiveUp(state, failure, fallback) };
    }
  }

  /** Posts `outgoing`; `turn` (Claude's part, if this run asked) goes into the turn's one log line. */
  private async deliver(state: ConversationState, config: Config, outgoing: Outgoing, mayBeRepeat: boolean, turn: LogFields): Promise<void> {
    const fields = { bot: state.botId, room: state.roomId, kind: outgoing.kind };
    const started = Date.now();
    try {
      await postOutgoing(this.store, state, config, outgoing, mayBeRepeat);
      this.store.settleOutgoing(outgoing, Date.now());
      log("info", "reply.posted", { ...fields, ...turn, ms: Date.now() - started, edited: outgoing.messageId !== null });
    } catch (error) {
      // Claude's answer is kept for the retry; its usage is logged now, as it is billed now.
      if (turn.tokens) log("info", "claude.answered", { ...fields, ...turn });
      this.retryOrGiveUp(state, toServiceFailure(error, "campfire"), null);
    }
  }

  /**
   * A retryable failure schedules the next attempt through the alarm. Otherwise — or once retries run out —
   * the room gets `fallback` (one clear message); without a fallback the answer is dropped and logged.
   */
  private retryOrGiveUp(state: ConversationState, failure: ServiceFailure, fallback: Outgoing | null): Outgoing | null {
    const fields = { bot: state.botId, room: state.roomId, service: failure.service, kind: failure.kind, status: failure.status ?? null, error: failure.message };
    if (failure.retryable) {
      const now = Date.now();
      const { attempts, failingSince } = this.store.recordFailure(now);
      const decision = decideRetry(attempts, failingSince, now, failure.retryAfterMs);
      if ("retryAt" in decision) {
        this.store.scheduleRetry(decision.retryAt);
        log("warn", "retry.scheduled", { ...fields, attempts, in_ms: decision.retryAt - now });
        return null;
      }
      log("warn", "retry.exhausted", { ...fields, attempts });
    } else {
      log("error", "request.failed", fields);
    }
    if (fallback) {
      this.store.queueOutgoing(fallback);
      return fallback;
    }
    const dropped = this.store.outgoing();
    if (dropped) {
      this.store.dropOutgoing(dropped);
      log("error", "reply.dropped", { ...fields, reply: dropped.kind });
    }
    return null;
  }

  private async evict(state: ConversationState, reason: "ttl" | "admin"): Promise<void> {
    const final = this.snapshot(state);
    await this.store.erase();
    this.reported = "";
    log("info", "conversation.evicted", { bot: state.botId, room: state.roomId, reason, turns: state.turns, idle_ms: Date.now() - state.lastActivityAt });
    try {
      await registryFor(this.env, state.botId, state.roomId).evicted(final);
    } catch (error) {
      // The registry's sweep counts it as evicted later.
      log("warn", "registry.report_failed", { bot: state.botId, room: state.roomId, error: (error as Error).message });
    }
  }
}

function emptyAnswer(stopReason: string | null): string {
  return stopReason === "max_tokens" ? "_(My answer ran past this bot's max_tokens before any text; ask me to be briefer.)_" : "_(I have nothing to add.)_";
}
