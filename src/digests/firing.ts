import { permalinkPrefix } from "../campfire/message-lines";
import type { Room } from "../campfire/room";
import type { BotConfig, Config } from "../config";
import { conversationName } from "../conversation/message";
import { type Cron, parseCron } from "../cron";
import { log } from "../log";
import { roomFor } from "../objects/wiring";
import { endDigest } from "./end";
import type { PeopleStore } from "./people-store";
import { digestPrompt } from "./prompt";
import { checkDirectRoom, spanAfter } from "./reading";
import { decideDigest, IDLE_LIMIT_MS, IDLE_WARNING_MS, nextDue } from "./schedule";
import type { Firing, Subscription } from "./subscription";
import type { SubscriptionStore } from "./subscription-store";

type ReadyBot = BotConfig & { key: string };

/**
 * A due digest run by the Digests object's alarm: it reads the room after the last digest and, when someone said
 * something, starts a turn in the target room's conversation that writes the summary of exactly that span. State is
 * written before each side effect, so a retried run repeats nothing.
 */
export class DigestFiring {
  constructor(
    private readonly env: Env,
    private readonly subscriptions: SubscriptionStore,
    private readonly people: PeopleStore,
    private readonly botId: string,
  ) {}

  /** One due subscription: it waits, ends (its owner idle), moves on (held: logged as skipped), or fires. */
  async run(
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
    if (action === "end_idle") return endDigest(this.subscriptions, this.botId, subscription, "idle");
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
      if (next.at === null) return endDigest(this.subscriptions, this.botId, subscription, "never_fires");
      this.subscriptions.advance(subscription.id, { dueAt: next.at, failures: next.failures });
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
    const span = await spanAfter(source, subscription.coveredId);
    if (span === null) {
      endDigest(this.subscriptions, this.botId, subscription, "not_in_room");
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
      const verdict = await checkDirectRoom(this.room(config, bot, subscription.postRoomId), subscription);
      if (verdict !== null) {
        if (verdict !== "seen") {
          endDigest(this.subscriptions, this.botId, subscription, verdict);
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
      linkPrefix: permalinkPrefix(source.id),
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
    this.subscriptions.recordFiring(subscription.id, firing);
    return firing;
  }

  private room(config: Config, bot: ReadyBot, roomId: number): Room {
    return roomFor(config, bot, roomId, new Set(), { onRequest: () => {}, onLacks: () => {} });
  }

  private seen(subscription: Subscription, now: number): number {
    this.people.seen(subscription.owner.id, now);
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
    if (next.at === null) return endDigest(this.subscriptions, this.botId, subscription, "never_fires");
    this.subscriptions.advance(subscription.id, { dueAt: next.at, failures: 0 }, covered, deliveredAt);
  }
}
