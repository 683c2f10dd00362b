import { DurableObject } from "cloudflare:workers";
import { type BotConfig, type Config, loadConfig } from "../config";
import { controlStatus } from "../control/status";
import { parseCron } from "../cron";
import { log } from "../log";
import type { Person } from "../tools/tool";
import { type DigestChange, type DigestRequest, type DigestView, viewOf } from "./access";
import { endDigest } from "./end";
import { DigestFiring } from "./firing";
import { PeopleStore } from "./people-store";
import { MAX_PER_BOT, MAX_PER_PERSON, nextDue } from "./schedule";
import { DigestStore } from "./store";
import type { Subscription } from "./subscription";
import { SubscriptionStore } from "./subscription-store";

/** Most firings one alarm run does; the rest follow in the next run, at once. */
const FIRINGS_PER_RUN = 20;

/**
 * One bot's digest subscriptions, named `digests:<bot id>`: who asked for a summary of which room, when, and where
 * it goes. They are not conversation state, so they outlive any conversation. The one alarm is set to the
 * earliest firing (or owner turning idle, or trim) and each run fires what is due, each digest by a DigestFiring.
 */
export class Digests extends DurableObject<Env> {
  private readonly store = new DigestStore(this.ctx.storage);
  private readonly subscriptions = new SubscriptionStore(this.store);
  private readonly people = new PeopleStore(this.store);

  async subscribe(owner: Person, request: DigestRequest): Promise<DigestChange> {
    const bot = loadConfig(this.env).bots.get(this.botId);
    if (!bot?.digests) return { error: "Digests are turned off for this bot." };
    const cron = parseCron(request.cron);
    if ("error" in cron) return { error: cron.error };
    if (this.subscriptions.liveCount(owner.id) >= MAX_PER_PERSON)
      return {
        error: `They already have ${MAX_PER_PERSON} digests with ${bot.name}, the most one person may have; cancel one first.`,
      };
    if (this.subscriptions.liveCount() >= MAX_PER_BOT)
      return {
        error: `${bot.name} already sends ${MAX_PER_BOT} digests, the most it keeps for everyone; an administrator can end some.`,
      };
    const postRoomId = request.direct ? this.people.directRoom(owner.id) : request.roomId;
    if (postRoomId === null)
      return {
        error: `I don't know their direct room with me yet: ask them to send me a direct message once (anything), then ask again here.`,
      };
    const same = this.subscriptions
      .list(owner.id)
      .find(
        (d) =>
          d.endedAt === null && d.roomId === request.roomId && d.cron === request.cron && d.postRoomId === postRoomId,
      );
    if (same) return { error: `They already have digest #${same.id} of this room on that schedule.` };
    const now = Date.now();
    const dueAt = nextDue(cron, request.timeZone ?? bot.timeZone, now).at;
    if (dueAt === null) return { error: "That schedule never comes round; pick days that exist." };
    this.people.seen(owner.id, now);
    const subscription = this.subscriptions.add(
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
    this.people.touch(ownerId, Date.now());
    return this.views(this.subscriptions.list(ownerId));
  }

  /** Ends a subscription at its owner's request; anyone else is told whose it is. */
  async cancel(owner: Person, id: number): Promise<DigestChange> {
    this.people.touch(owner.id, Date.now());
    const subscription = this.subscriptions.get(id);
    if (!subscription) return { error: `There is no digest #${id}; list_digests shows theirs.` };
    if (subscription.owner.id !== owner.id)
      return { error: `Digest #${id} belongs to ${subscription.owner.name}; only they can cancel it. Ask them to.` };
    if (subscription.endedAt !== null) return { error: `Digest #${id} has already ended.` };
    endDigest(this.subscriptions, this.botId, subscription, "cancelled");
    await this.arm();
    return { digest: this.views([this.subscriptions.get(id)!])[0]! };
  }

  /** A direct conversation with the bot was born: where this person's direct room is, and that they talked to it. */
  async sawDirect(userId: number, roomId: number): Promise<void> {
    this.people.seen(userId, Date.now(), roomId);
    await this.arm();
  }

  /** Every subscription, for an operator. */
  async all(): Promise<DigestView[]> {
    return this.views(this.subscriptions.list());
  }

  /** Ends one for an operator; null when there is no live one by that id. */
  async endByAdmin(id: number): Promise<DigestView | null> {
    const subscription = this.subscriptions.get(id);
    if (!subscription || subscription.endedAt !== null) return null;
    endDigest(this.subscriptions, this.botId, subscription, "admin");
    await this.arm();
    return this.views([this.subscriptions.get(id)!])[0]!;
  }

  /** Fires what is due, ends what has ended, trims, and sets the one alarm to what comes next. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const due = this.subscriptions.due(now, FIRINGS_PER_RUN);
    if (due.length > 0) {
      const config = loadConfig(this.env);
      const bot = config.bots.get(this.botId);
      const held = await this.heldBy(config, bot);
      const firing = new DigestFiring(this.env, this.subscriptions, this.people, this.botId);
      for (const subscription of due) await firing.run(subscription, config, bot, held, now);
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
