import { DurableObject } from "cloudflare:workers";
import type { Room } from "../campfire/room";
import { readAfter, type Span } from "../campfire/span";
import { type BotConfig, type Config, loadConfig } from "../config";
import { controlStatus } from "../control/status";
import { conversationName } from "../conversation/message";
import { type Cron, parseCron } from "../cron";
import { ServiceFailure } from "../failure";
import { log } from "../log";
import { roomFor } from "../objects/wiring";
import type { Person } from "../tools/tool";
import { type DigestChange, type DigestRequest, type DigestView, viewOf } from "./access";
import { digestPrompt } from "./prompt";
import { decideDigest, IDLE_LIMIT_MS, IDLE_WARNING_MS, MAX_PER_BOT, MAX_PER_PERSON, nextDue } from "./schedule";
import { DigestStore, type EndReason, type Firing, type Subscription } from "./store";

/** Most firings one alarm run does; the rest follow in the next run, at once. */
const FIRINGS_PER_RUN = 20;

type ReadyBot = BotConfig & { key: string };

/**
 * One bot's digest subscriptions, named `digests:<bot id>`: who asked for a summary of which room, when, and where
 * it goes. They are not conversation state, so they outlive any conversation. The one alarm is set to the
 * earliest firing (or owner turning idle, or trim) and each run fires what is due: it reads the room after the
 * last digest and, when someone said something, starts a turn in the target room's conversation that writes the
 * summary of exactly that span. State is written before each side effect, so a retried run repeats nothing.
 */
export class Digests extends DurableObject<Env> {
  private readonly store = new DigestStore(this.ctx.storage);

  async subscribe(owner: Person, request: DigestRequest): Promise<DigestChange> {
    const bot = loadConfig(this.env).bots.get(this.botId);
    if (!bot?.digests) return { error: "Digests are turned off for this bot." };
    const cron = parseCron(request.cron);
    if ("error" in cron) return { error: cron.error };
    if (this.store.liveCount(owner.id) >= MAX_PER_PERSON)
      return {
        error: `They already have ${MAX_PER_PERSON} digests with ${bot.name}, the most one person may have; cancel one first.`,
      };
    if (this.store.liveCount() >= MAX_PER_BOT)
      return {
        error: `${bot.name} already sends ${MAX_PER_BOT} digests, the most it keeps for everyone; an administrator can end some.`,
      };
    const postRoomId = request.direct ? this.store.directRoom(owner.id) : request.roomId;
    if (postRoomId === null)
      return {
        error: `I don't know their direct room with me yet: ask them to send me a direct message once (anything), then ask again here.`,
      };
    const same = this.store
      .list(owner.id)
      .find(
        (d) =>
          d.endedAt === null && d.roomId === request.roomId && d.cron === request.cron && d.postRoomId === postRoomId,
      );
    if (same) return { error: `They already have digest #${same.id} of this room on that schedule.` };
    const now = Date.now();
    const dueAt = nextDue(cron, request.timeZone ?? bot.timeZone, now).at;
    if (dueAt === null) return { error: "That schedule never comes round; pick days that exist." };
    this.store.seen(owner.id, now);
    const subscription = this.store.add(
      {
        owner,
        roomId: request.roomId,
        roomName: request.roomName,
        postRoomId,
        cron: request.cron,
        timeZone: request.timeZone,
        focus: request.focus,
        nextDueAt: dueAt,
        coveredId: request.startAfter.id,
        coveredAt: request.startAfter.at,
      },
      now,
    );
    log("info", "digest.subscribed", {
      bot: this.botId,
      room: request.roomId,
      digest: subscription.id,
      posted: postRoomId === request.roomId ? "room" : "direct",
    });
    await this.arm();
    return { digest: viewOf(subscription, bot.timeZone) };
  }

  /** One person's subscriptions, live and recently ended; asking counts as talking to the bot. */
  async mine(ownerId: number): Promise<DigestView[]> {
    this.store.touch(ownerId, Date.now());
    return this.views(this.store.list(ownerId));
  }

  /** Ends a subscription at its owner's request; anyone else is told whose it is. */
  async cancel(owner: Person, id: number): Promise<DigestChange> {
    this.store.touch(owner.id, Date.now());
    const subscription = this.store.get(id);
    if (!subscription) return { error: `There is no digest #${id}; list_digests shows theirs.` };
    if (subscription.owner.id !== owner.id)
      return { error: `Digest #${id} belongs to ${subscription.owner.name}; only they can cancel it. Ask them to.` };
    if (subscription.endedAt !== null) return { error: `Digest #${id} has already ended.` };
    this.end(subscription, "cancelled");
    await this.arm();
    return { digest: this.views([this.store.get(id)!])[0]! };
  }

  /** A direct conversation with the bot was born: where this person's direct room is, and that they talked to it. */
  async sawDirect(userId: number, roomId: number): Promise<void> {
    this.store.seen(userId, Date.now(), roomId);
    await this.arm();
  }

  /** Every subscription, for an operator. */
  async all(): Promise<DigestView[]> {
    return this.views(this.store.list());
  }

  /** Ends one for an operator; null when there is no live one by that id. */
  async endByAdmin(id: number): Promise<DigestView | null> {
    const subscription = this.store.get(id);
    if (!subscription || subscription.endedAt !== null) return null;
    this.end(subscription, "admin");
    await this.arm();
    return this.views([this.store.get(id)!])[0]!;
  }

  /** Fires what is due, ends what has ended, trims, and sets the one alarm to what comes next. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const due = this.store.due(now, FIRINGS_PER_RUN);
    if (due.length > 0) {
      const config = loadConfig(this.env);
      const bot = config.bots.get(this.botId);
      const held = await this.heldBy(config, bot);
      for (const subscription of due) await this.run(subscription, config, bot, held, now);
    }
    const trimmed = this.store.trim(now);
    if (trimmed > 0) log("info", "digest.trimmed", { bot: this.botId, removed: trimmed });
    await this.arm();
  }

  private get botId(): string {
    return this.ctx.id.name!.replace(/^digests:/, "");
  }

  /** Why no digest may be posted now (the bot's switch, or its settings), or null. */
  private async heldBy(config: Config, bot: BotConfig | undefined): Promise<string | null> {
    if (!bot) return "not_configured";
    if (!bot.digests) return "digests_off";
    if (!bot.key || !config.campfireUrl) return "not_configured";
    return (await controlStatus(this.env, bot.id)).paused ? "paused" : null;
  }

  private async run(
    subscription: Subscription,
    config: Config,
    bot: BotConfig | undefined,
    held: string | null,
    now: number,
  ): Promise<void> {
    const { action } = decideDigest(
      { nextDueAt: subscription.nextDueAt, seenAt: subscription.seenAt, held: held !== null },
      now,
    );
    if (action === "wait") return;
    if (action === "end_idle") return this.end(subscription, "idle");
    const cron = parseCron(subscription.cron) as Cron;
    const timeZone = subscription.timeZone ?? bot?.timeZone ?? "UTC";
    if (action === "skip") {
      log("info", "digest.skipped", {
        bot: this.botId,
        room: subscription.roomId,
        digest: subscription.id,
        rule: held,
      });
      return this.moveOn(subscription, cron, timeZone, now);
    }
    // Not held: the bot is configured, with its key.
    await this.fire(subscription, config, bot as ReadyBot, cron, timeZone, now);
  }

  /**
   * One firing: the digest recorded before its turn starts, or the one recorded by a run that did not finish
   * (its message id makes the conversation start one turn however often it is handed over).
   */
  private async fire(
    subscription: Subscription,
    config: Config,
    bot: ReadyBot,
    cron: Cron,
    timeZone: string,
    now: number,
  ): Promise<void> {
    const fields = { bot: bot.id, room: subscription.roomId, digest: subscription.id };
    try {
      const firing = subscription.firing ?? (await this.compose(subscription, config, bot, timeZone, now));
      if (firing === "ended") return;
      if ("quiet" in firing) return this.moveOn(subscription, cron, timeZone, now, firing.covered);
      const { outcome } = await this.env.CONVERSATIONS.getByName(
        conversationName(subscription.postRoomId, bot.id),
      ).receive(bot.id, {
        messageId: firing.messageId,
        roomId: subscription.postRoomId,
        roomName: "",
        userId: 0,
        userName: "Digest",
        text: firing.text,
      });
      log("info", "digest.started", { ...fields, posted: subscription.postRoomId, outcome });
      await this.moveOn(subscription, cron, timeZone, now, { id: firing.uptoId, at: firing.uptoAt }, now);
    } catch (error) {
      const failures = subscription.failures + 1;
      log("warn", "digest.failed", { ...fields, failures, error: (error as Error).message.slice(0, 300) });
      const next = nextDue(cron, timeZone, now, failures);
      if (next.at === null) return this.end(subscription, "never_fires");
      this.store.advance(subscription.id, { dueAt: next.at, failures: next.failures });
    }
  }

  /**
   * What the next digest covers, read from the room: "ended" when Campfire says the bot is gone, "quiet" when no
   * one but the bot said anything (then only what is covered moves on), else the firing, recorded.
   */
  private async compose(
    subscription: Subscription,
    config: Config,
    bot: ReadyBot,
    timeZone: string,
    now: number,
  ): Promise<Firing | "ended" | { quiet: true; covered?: { id: number; at: number } }> {
    const source = this.room(config, bot, subscription.roomId);
    const span = await this.spanAfter(source, subscription.coveredId);
    if (span === null) {
      this.end(subscription, "not_in_room");
      return "ended";
    }
    const newest = span.messages.at(-1);
    const said = span.messages.filter((message) => message.creator.id !== source.botUserId);
    let seenAt = subscription.seenAt;
    if (said.some((message) => message.creator.id === subscription.owner.id)) seenAt = this.seen(subscription, now);
    if (said.length === 0) {
      log("info", "digest.quiet", { bot: bot.id, room: subscription.roomId, digest: subscription.id });
      return { quiet: true, covered: newest && { id: newest.id, at: Date.parse(newest.createdAt) } };
    }
    if (subscription.postRoomId !== subscription.roomId) {
      const verdict = await this.checkDirectRoom(subscription, config, bot);
      if (verdict !== null) {
        if (verdict !== "seen") {
          this.end(subscription, verdict);
          return "ended";
        }
        seenAt = this.seen(subscription, now);
      }
    }
    const endsAt = seenAt + IDLE_LIMIT_MS;
    const text = digestPrompt({
      ownerName: subscription.owner.name,
      roomName: subscription.roomName,
      focus: subscription.focus,
      messages: said,
      cut: span.cut,
      permalinkBase: source.permalinkBase,
      timeZone,
      endsAt: endsAt - now <= IDLE_WARNING_MS ? endsAt : null,
      botName: bot.name,
    });
    const firing: Firing = {
      messageId: `digest:${subscription.id}:${subscription.nextDueAt}`,
      text,
      uptoId: newest!.id,
      uptoAt: Date.parse(newest!.createdAt),
    };
    this.store.recordFiring(subscription.id, firing);
    return firing;
  }

  /**
   * The messages after the last covered one. A span too long for one digest is read from its newest page instead
   * (a busy room gets a digest of its latest messages, not of ever older ones), and so is one whose last covered
   * message was deleted. Null when Campfire answers 404 to reading the room: the bot is no longer in it.
   */
  private async spanAfter(room: Room, coveredId: number): Promise<Span | null> {
    let span: Span | null;
    try {
      span = await readAfter(room, coveredId);
    } catch (error) {
      if (!(error instanceof ServiceFailure && error.kind === "not_found")) throw error;
      span = { messages: [], cut: true };
    }
    if (span === null || !span.cut) return span;
    const page = await room.page();
    if (page === null) return null;
    return { messages: page.messages.filter((message) => message.id > coveredId), cut: true };
  }

  /**
   * The owner's direct room, looked at before a digest goes there: it must still hold the bot (a 404 ends the
   * subscription), and no one but the owner and the bot (a summary of their room is theirs alone). "seen" when the
   * owner has written to the bot there since the last digest's span; null when all is well.
   */
  private async checkDirectRoom(
    subscription: Subscription,
    config: Config,
    bot: ReadyBot,
  ): Promise<EndReason | "seen" | null> {
    const direct = this.room(config, bot, subscription.postRoomId);
    const page = await direct.page();
    if (page === null) return "not_in_room";
    const { owner } = subscription;
    if (page.messages.some((message) => message.creator.id !== owner.id && message.creator.id !== direct.botUserId))
      return "shared_direct_room";
    // Both times are Campfire's: the last covered message's and the owner's.
    return page.messages.some(
      (message) => message.creator.id === owner.id && Date.parse(message.createdAt) > subscription.coveredAt,
    )
      ? "seen"
      : null;
  }

  private room(config: Config, bot: ReadyBot, roomId: number): Room {
    return roomFor(config, bot, roomId, new Set(), { onRequest: () => {}, onLacks: () => {} });
  }

  private seen(subscription: Subscription, now: number): number {
    this.store.seen(subscription.owner.id, now);
    return now;
  }

  /** The schedule moves on to the next regular firing; a subscription whose cron never fires again ends. */
  private async moveOn(
    subscription: Subscription,
    cron: Cron,
    timeZone: string,
    now: number,
    covered?: { id: number; at: number },
    deliveredAt?: number,
  ): Promise<void> {
    const next = nextDue(cron, timeZone, now);
    if (next.at === null) return this.end(subscription, "never_fires");
    this.store.advance(subscription.id, { dueAt: next.at, failures: 0 }, covered, deliveredAt);
  }

  /** Ends it now, logged without contents; the caller sets the alarm. */
  private end(subscription: Subscription, why: EndReason): void {
    const now = Date.now();
    if (!this.store.end(subscription.id, why, now)) return;
    log("info", "digest.ended", {
      bot: this.botId,
      room: subscription.roomId,
      digest: subscription.id,
      reason: why,
      age_ms: now - subscription.createdAt,
    });
  }

  private views(subscriptions: Subscription[]): DigestView[] {
    const timeZone = loadConfig(this.env).bots.get(this.botId)?.timeZone ?? "UTC";
    return subscriptions.map((subscription) => viewOf(subscription, timeZone));
  }

  /** The one alarm, at what comes next; with nothing kept, no alarm and no storage. */
  private async arm(): Promise<void> {
    const at = this.store.nextWake();
    if (at === null) {
      await this.ctx.storage.deleteAlarm();
      if (this.store.empty) await this.store.erase();
      return;
    }
    if ((await this.ctx.storage.getAlarm()) !== at) await this.ctx.storage.setAlarm(at);
  }
}
