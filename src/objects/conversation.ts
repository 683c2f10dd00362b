import { DurableObject } from "cloudflare:workers";
import { settleLast } from "../budget/access";
import { escapeHtml } from "../campfire/render";
import { type Config, loadConfig } from "../config";
import { adoptStatus, type KnownStatus, knownStatus, pausedSentence } from "../control/status";
import { type InboundMessage, isHashId, REPLAY_WINDOW_MS } from "../conversation/message";
import { addBilling, type Billing, billingFields, Ledger, Meter } from "../conversation/meter";
import { postDueReminder } from "../conversation/remind";
import { afterEscapedError } from "../conversation/retry";
import { type Action, decide, type ScheduleSnapshot } from "../conversation/schedule";
import { TurnSpend } from "../conversation/spend";
import type { ConversationState } from "../conversation/state";
import { answerStep, deliverStep, pausedStep, type StepContext } from "../conversation/steps";
import { ConversationStore } from "../conversation/store";
import { noteDirectRoom } from "../digests/access";
import { explainToRoom, ServiceFailure } from "../failure";
import { log } from "../log";
import { answerKeeper } from "../schedules/archive";
import { reportDeath, reportDueAt, reportIfDue } from "./report";
import { botOf, budgetFor, modelFor, reachFor, roomFor } from "./wiring";

/**
 * One conversation: a Campfire room talking to one bot, named `<room id>:<bot id>`. Webhooks only store messages;
 * the single alarm does the rest. Each run reads the conversation once, lets `decide` say what to do, does it,
 * and sets the alarm to the next deadline — so nothing runs and nothing is held in memory between events.
 */
export class Conversation extends DurableObject<Env> {
  private readonly meter = new Meter();
  private readonly store = new ConversationStore(this.ctx.storage, this.meter);
  /** A run is in flight; its end re-arms the alarm, so an overlapping alarm has nothing to do. */
  private busy = false;
  /** When the alarm is set for, as this object last set it (null: none); undefined until known, then read once. */
  private armedAt: number | null | undefined;
  private readonly ledger = new Ledger(this.meter);

  /**
   * Called by the webhook route: stores the message and arms the alarm; the route logs what it cost. `control` is
   * the bot's status as the route read it, so the run it wakes need not ask again while that is fresh.
   */
  async receive(
    botId: string,
    message: InboundMessage,
    control?: KnownStatus,
  ): Promise<{ outcome: "queued" | "duplicate"; billing: Billing }> {
    this.meter.add({ doRequests: 1 });
    if (control) adoptStatus(botId, control);
    const config = loadConfig(this.env);
    const bot = config.bots.get(botId);
    const ttlMs = bot?.sessionTtlMs ?? config.sessionTtlMs;
    // A direct conversation's birth tells the bot's digests: once per life, not per message. Campfire names no direct
    // room; the older flat payload (a hashed id) may name none either, and knows no direct rooms.
    const direct = message.roomName === null && !isHashId(message.messageId);
    const directBirth = direct && bot?.digests === true && !this.store.begun;
    const queued = this.store.receive(botId, ttlMs, message, Date.now(), REPLAY_WINDOW_MS);
    if (queued && directBirth)
      await noteDirectRoom(this.env, botId, message.userId, message.roomId, () => this.meter.add({ doRequests: 1 }));
    if (queued && !this.busy) await this.wake();
    const billing = this.ledger.takeForCaller();
    return { outcome: queued ? "queued" : "duplicate", billing };
  }

  /**
   * One run: read, decide, act, re-arm. An error that escapes the steps' own failure handling (storage refused even
   * recording a failure, or the bot is gone from the configuration) is thrown back to the runtime, which runs the
   * alarm again with back-off and counts the runs for us; when that count is spent the conversation gives up.
   */
  override async alarm(info?: AlarmInvocationInfo): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.meter.add({ doRequests: 1 });
    const config = loadConfig(this.env);
    try {
      let paused = false;
      try {
        const state = this.store.state();
        let { action } = decide(state && this.snapshot(state, false), Date.now());
        // Only starting a turn or posting a reminder depends on the switch: other runs cost no request for it.
        if (state && (action === "answer" || action === "post_reminder")) {
          paused = (await knownStatus(this.env, state.botId, Date.now(), () => this.meter.add({ doRequests: 1 })))
            .status.paused;
          if (paused) action = decide(this.snapshot(state, true), Date.now()).action;
        }
        await this.act(action, state!, config);
      } finally {
        // Before re-arming: an alarm the runtime starts meanwhile must find the object free to run.
        this.busy = false;
      }
      await this.finish(paused);
    } catch (error) {
      // The runtime keeps the alarm for its retry; what this object remembered of it is no longer true.
      this.armedAt = undefined;
      const retryCount = info?.retryCount ?? 0;
      const fields = this.logFields();
      log("error", "internal.error", {
        ...fields,
        stage: "alarm",
        retry_count: retryCount,
        error: (error as Error)?.message?.slice(0, 300) ?? String(error),
        stack: (error as Error)?.stack?.slice(0, 1_500) ?? null,
      });
      if (afterEscapedError(retryCount) === "retry") throw error;
      await this.giveUp(error, config);
    } finally {
      this.ledger.collect();
    }
  }

  /** Where the conversation stands (for the playground's countdown); null when there is none. */
  async describe(): Promise<{ lastActivityAt: number; ttlMs: number; turns: number } | null> {
    const state = this.store.state();
    return state && { lastActivityAt: state.lastActivityAt, ttlMs: state.ttlMs, turns: state.turns };
  }

  /** Ends the conversation now (admin request): storage and alarm are deleted. False if there was none. */
  async end(): Promise<boolean> {
    this.meter.add({ doRequests: 1 });
    const state = this.store.state();
    if (state) await this.evict(state, "admin");
    return state !== null;
  }

  private snapshot(state: ConversationState, paused: boolean, reportAt = reportDueAt(state)): ScheduleSnapshot {
    return {
      waiting: state.waiting,
      outgoing: state.outgoing !== null,
      retryAt: state.retry.at,
      nextReminderAt: this.store.reminders.nextDueAt(),
      lastActivityAt: state.lastActivityAt,
      ttlMs: state.ttlMs,
      paused,
      reportAt,
    };
  }

  /** Does what `decide` said; a report owed to the registry is sent by `finish`, as at the end of every run. */
  private async act(action: Action, state: ConversationState, config: Config): Promise<void> {
    if (action === "nothing" || action === "report") return;
    if (action === "evict") {
      await this.evict(state, "ttl");
      return;
    }
    if (action === "drop_reminder") {
      const late = this.store.reminders.due(Date.now())!;
      this.store.reminders.cancel(late.id);
      log("warn", "reminder.dropped", {
        bot: state.botId,
        room: state.roomId,
        reminder: late.id,
        reason: "late",
        late_ms: Date.now() - (late.retryAt ?? late.dueAt),
      });
      return;
    }
    const steps = this.steps(state, config);
    if (action === "post_reminder")
      await postDueReminder(steps.room, this.store.reminders, state.botId, this.store.reminders.due(Date.now())!);
    else if (action === "deliver") await deliverStep(steps, state.outgoing!, true);
    else if (action === "tell_paused") await pausedStep(steps, state, pausedSentence(steps.bot.name));
    else await answerStep(steps, state);
  }

  private steps(state: ConversationState, config: Config): StepContext {
    const bot = botOf(config, state.botId);
    const room = roomFor(config, bot, state.roomId, state.lacks, {
      onRequest: () => this.meter.add({ subrequests: 1 }),
      onLacks: (lacks) => this.store.setLacks(lacks),
    });
    return {
      store: this.store,
      bot,
      room,
      model: () => modelFor(config, bot),
      reach: reachFor(this.env, config, state.roomId, this.meter),
      onAsk: () => this.meter.add({ subrequests: 1 }),
      billing: this.ledger,
      budget: () => budgetFor(this.env, bot, this.meter),
      spend: new TurnSpend(),
      keepAnswer: answerKeeper(
        this.env,
        bot,
        { id: state.roomId, name: state.roomName, campfireUrl: room.campfireUrl },
        () => this.meter.add({ doRequests: 1 }),
      ),
    };
  }

  private logFields(): { bot?: string; room?: number } {
    try {
      const state = this.store.state();
      return { bot: state?.botId, room: state?.roomId };
    } catch {
      return {};
    }
  }

  /**
   * The runtime's retries are spent: stop for good. The room is told once — this run happens once per spent count,
   * and nothing here throws, so the runtime does not run it again — and the conversation is erased, so no alarm is
   * left to run and nothing stays behind.
   */
  private async giveUp(error: unknown, config: Config): Promise<void> {
    let state: ConversationState | null = null;
    try {
      state = this.store.state();
    } catch {}
    const fields = { bot: state?.botId, room: state?.roomId };
    log("error", "conversation.stuck", fields);
    const why = error instanceof ServiceFailure ? error : new ServiceFailure("bot", "internal", "internal error");
    try {
      if (!state) throw new Error("the conversation could not be read, so its room is unknown");
      await this.steps(state, config).room.post(
        `<p>${escapeHtml(`Sorry, I could not answer: ${explainToRoom(why)}`)}</p>`,
      );
    } catch (postError) {
      log("error", "room.not_told", { ...fields, error: (postError as Error).message.slice(0, 300) });
    }
    if (state)
      await this.evict(state, "stuck").catch((eraseError: Error) =>
        log("error", "conversation.not_erased", { ...fields, error: eraseError.message.slice(0, 300) }),
      );
  }

  /**
   * A message arrived: the alarm should fire now. One already due by now is left alone (it saves a write and a read
   * of the conversation on the ack path); a run that is not due yet — a retry's back-off — decides so and re-arms.
   */
  private async wake(): Promise<void> {
    const now = Date.now();
    if (this.armedAt === undefined) this.armedAt = await this.ctx.storage.getAlarm();
    if (this.armedAt !== null && this.armedAt <= now) return;
    await this.arm(now);
  }

  private async arm(at: number | null): Promise<void> {
    // Unknown while the storage call is in flight: if it fails, the next message reads the alarm again.
    this.armedAt = undefined;
    if (at === null) await this.ctx.storage.deleteAlarm();
    else {
      await this.ctx.storage.setAlarm(at);
      this.meter.add({ rowsWritten: 1 });
    }
    this.armedAt = at;
  }

  /**
   * The end of a run, from one read of where the conversation now stands: tell the registry what it is owed by now,
   * and set the one alarm to the next deadline (a report owed later among them) — always, because the running alarm
   * still shows as set until its handler returns, and is deleted then.
   */
  private async finish(paused: boolean): Promise<void> {
    const state = this.store.state();
    const reportAt = state && (await reportIfDue(this.env, this.store, state, this.meter, Date.now()));
    const { wakeAt } = decide(state && this.snapshot(state, paused, reportAt), Date.now());
    if (wakeAt !== null || (await this.ctx.storage.getAlarm()) !== null) await this.arm(wakeAt);
    else this.armedAt = null;
  }

  private async evict(state: ConversationState, reason: "ttl" | "admin" | "stuck"): Promise<void> {
    if (state.budget) await this.settleBudget(state);
    await this.store.erase();
    this.armedAt = null;
    log("info", "conversation.evicted", {
      bot: state.botId,
      room: state.roomId,
      reason,
      turns: state.turns,
      idle_ms: Date.now() - state.lastActivityAt,
      billing: billingFields(this.ledger.toLog()),
    });
    const total = addBilling(state.billing, this.ledger.toStore());
    this.ledger.stored();
    this.ledger.logged();
    await reportDeath(this.env, state, total, this.meter);
  }

  /** The conversation ends holding its last turn's reservation: settled now, at that turn's real cost. */
  private async settleBudget(state: ConversationState): Promise<void> {
    this.meter.add({ doRequests: 1 });
    try {
      this.meter.add(await settleLast(this.env, state.botId, state.budget!));
    } catch (error) {
      // The reservation stays counted until its period ends: the budget errs towards spending less.
      log("warn", "budget.settle_failed", {
        bot: state.botId,
        room: state.roomId,
        error: (error as Error).message.slice(0, 300),
      });
    }
  }
}
