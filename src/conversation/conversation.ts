import { DurableObject } from "cloudflare:workers";
import { botMessagesPath, CampfireClient } from "../campfire";
import { ClaudeClient } from "../claude";
import { type Config, loadConfig } from "../config";
import { explainToRoom, ServiceFailure } from "../failure";
import { log } from "../log";
import { escapeHtml, renderMarkdown } from "../render";
import type { InboundMessage } from "../webhook/payload";
import { buildMessages, composeTurn, systemPrompt } from "./prompt";
import { decideRetry } from "./retry";
import { type ConversationState, ConversationStore, type Outgoing } from "./store";

/**
 * One conversation: a Campfire room talking to one bot. It is named `<room id>:<bot id>`.
 * Webhooks only store messages; the single alarm does the rest — answer now, retry later, or forget the
 * conversation at last activity + TTL — so nothing runs and nothing is held in memory between events.
 */
export class Conversation extends DurableObject<Env> {
  private readonly store = new ConversationStore(this.ctx.storage);
  /** A turn is in flight; its end reschedules the alarm, so an overlapping alarm has nothing to do. */
  private busy = false;

  /** Called by the webhook route: stores the message and wakes the alarm, in one synchronous step. */
  async receive(botId: string, message: InboundMessage): Promise<"queued" | "duplicate"> {
    const config = loadConfig(this.env);
    const ttlMs = config.bots.get(botId)?.sessionTtlMs ?? config.sessionTtlMs;
    const queued = this.store.receive(botId, ttlMs, message, Date.now());
    if (queued) await this.reschedule();
    log("info", queued ? "message.queued" : "message.duplicate", { bot: botId, room: message.roomId, chars: message.text.length });
    return queued ? "queued" : "duplicate";
  }

  override async alarm(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.step();
    } catch (error) {
      log("error", "conversation.step_failed", { error: (error as Error).message });
    } finally {
      this.busy = false;
      await this.reschedule();
    }
  }

  /** Sets the one alarm to the earliest pending deadline: work now, a retry, or eviction. */
  private async reschedule(): Promise<void> {
    const state = this.store.state();
    if (!state) return;
    const next = this.store.hasPendingWork() ? (state.retryAt ?? Date.now()) : state.lastActivityAt + state.ttlMs;
    await this.ctx.storage.setAlarm(next);
  }

  private async step(): Promise<void> {
    const state = this.store.state();
    if (!state) return;
    if (!this.store.hasPendingWork()) {
      // Only the TTL can be due here; checking the clock keeps an early wake-up from forgetting a live chat.
      if (Date.now() >= state.lastActivityAt + state.ttlMs) await this.evict(state);
      return;
    }
    const config = loadConfig(this.env);
    const outgoing = this.store.outgoing() ?? (await this.answer(state, config));
    if (outgoing) await this.deliver(state, config, outgoing);
  }

  /** Asks Claude about every waiting message at once, in arrival order; keeps the answer until it is posted. */
  private async answer(state: ConversationState, config: Config): Promise<Outgoing | null> {
    const pending = this.store.pending();
    const last = pending.at(-1);
    if (!last) return null;
    const prompt = composeTurn(pending);
    const fields = { bot: state.botId, room: state.roomId };
    try {
      const bot = config.bots.get(state.botId);
      if (!bot) throw new ServiceFailure("anthropic", "not_configured", `bot "${state.botId}" is no longer in BOTS`);
      if (!config.anthropicApiKey) throw new ServiceFailure("anthropic", "not_configured", "ANTHROPIC_API_KEY is not set");
      const started = Date.now();
      const answer = await new ClaudeClient({ apiKey: config.anthropicApiKey, baseUrl: config.anthropicBaseUrl }).ask({
        model: bot.model,
        maxTokens: bot.maxTokens,
        system: systemPrompt(bot, state.roomName, new Date()),
        messages: buildMessages(this.store.history(), prompt),
      });
      log("info", "claude.answered", { ...fields, ms: Date.now() - started, messages: pending.length, stop: answer.stopReason, tokens: { ...answer.usage } });
      const outgoing: Outgoing = { kind: "reply", uptoSeq: last.seq, prompt, markdown: answer.text || emptyAnswer(answer.stopReason) };
      this.store.queueOutgoing(outgoing);
      return outgoing;
    } catch (error) {
      const failure = asFailure(error, "anthropic");
      const apology = `Sorry, I could not answer: ${explainToRoom(failure)}`;
      return this.retryOrGiveUp(state, failure, { kind: "error", uptoSeq: last.seq, prompt, markdown: apology });
    }
  }

  private async deliver(state: ConversationState, config: Config, outgoing: Outgoing): Promise<void> {
    const fields = { bot: state.botId, room: state.roomId, kind: outgoing.kind };
    const bot = config.bots.get(state.botId);
    try {
      if (!bot?.key || !config.campfireUrl) {
        throw new ServiceFailure("campfire", "not_configured", `${bot?.keySecret ?? "the bot"} or CAMPFIRE_URL is not set`);
      }
      const html = outgoing.kind === "reply" ? renderMarkdown(outgoing.markdown) : `<p>${escapeHtml(outgoing.markdown)}</p>`;
      const started = Date.now();
      const { messageId } = await new CampfireClient(config.campfireUrl).post(botMessagesPath(state.roomId, bot.key), html);
      this.store.settleOutgoing(outgoing, Date.now());
      log("info", "reply.posted", { ...fields, ms: Date.now() - started, message: messageId ?? null });
    } catch (error) {
      this.retryOrGiveUp(state, asFailure(error, "campfire"), null);
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

  private async evict(state: ConversationState): Promise<void> {
    await this.store.erase();
    log("info", "conversation.evicted", { bot: state.botId, room: state.roomId, idle_ms: Date.now() - state.lastActivityAt });
  }
}

function asFailure(error: unknown, service: ServiceFailure["service"]): ServiceFailure {
  return error instanceof ServiceFailure ? error : new ServiceFailure(service, "unavailable", (error as Error)?.message ?? String(error));
}

function emptyAnswer(stopReason: string | null): string {
  return stopReason === "max_tokens" ? "_(My answer ran past this bot's max_tokens before any text; ask me to be briefer.)_" : "_(I have nothing to add.)_";
}
