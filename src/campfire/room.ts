import { ServiceFailure } from "../failure";
import { type OutgoingFile, postAttachment } from "./attachments";
import { addBoost, removeBoost } from "./boosts";
import type { CampfireClient, MessagePage, RoomMessage } from "./client";
import { messageIdOf } from "./transport";

/** What an older Campfire lacks: reading and editing (one API, added together) and boosts, both from 2026. */
export type Capability = "read_edit" | "boosts";

/** A bot's own Campfire user id: its key is `<bot user id>-<12 characters>`. */
export function botUserId(botKey: string): number {
  return Number(botKey.split("-")[0]);
}

/** Campfire's bot-messages path for a room: the bot key in it is the bot's credential. */
export function botMessagesPath(roomId: number, botKey: string): string {
  return `/rooms/${roomId}/${encodeURIComponent(botKey)}/messages`;
}

/** How long the optional read of recent messages (room context) may take before the turn goes on without it. */
const CONTEXT_READ_TIMEOUT_MS = 2_500;

/**
 * One Campfire room as this bot sees it: where to post (the bot-messages path with the bot's key), who the bot
 * is there, and what this Campfire can do. What it lacks is learned from a 404 and kept by the conversation.
 */
export class Room {
  readonly path: string;
  readonly botUserId: number;

  constructor(
    private readonly campfire: CampfireClient,
    readonly id: number,
    botKey: string,
    private readonly lacks: Set<Capability>,
    /** Told when this Campfire turns out to lack something, so the conversation stores it. */
    private readonly onLacks: (capability: Capability) => void,
    /** Campfire's base URL: the answers' relative links to messages are made absolute on it. */
    readonly campfireUrl: string,
  ) {
    this.path = botMessagesPath(id, botKey);
    this.botUserId = botUserId(botKey);
  }

  supports(capability: Capability): boolean {
    return !this.lacks.has(capability);
  }

  lacksCapability(capability: Capability): void {
    if (this.lacks.has(capability)) return;
    this.lacks.add(capability);
    this.onLacks(capability);
  }

  /** Posts an HTML message; resolves with the new message's id (from `Location`) when Campfire gives one. */
  async post(html: string): Promise<{ messageId?: number }> {
    const response = await this.campfire.send(
      this.path,
      { method: "POST", headers: { "content-type": "text/html; charset=utf-8" }, body: html },
      "post a message",
    );
    await response.body?.cancel();
    return messageIdOf(response);
  }

  /** Replaces the text of one of the bot's own messages; false when this Campfire cannot edit. */
  async edit(messageId: number, html: string): Promise<boolean> {
    if (!this.supports("read_edit")) return false;
    try {
      const response = await this.campfire.send(
        `${this.path}/${messageId}`,
        { method: "PATCH", headers: { "content-type": "text/html; charset=utf-8" }, body: html },
        "edit a message",
      );
      await response.body?.cancel();
      return true;
    } catch (error) {
      if (!(error instanceof ServiceFailure && error.kind === "not_found")) throw error;
      this.lacksCapability("read_edit");
      return false;
    }
  }

  /** Recent messages, oldest first (the newest page, or the one before `before`); null when unreadable. */
  async recent(options: { before?: number; quick?: boolean } = {}): Promise<RoomMessage[] | null> {
    return (await this.page(options))?.messages ?? null;
  }

  /**
   * One page of 40, oldest first: the newest, or just before `before` / just after `after`; null when this Campfire
   * cannot be read (learned and remembered). Paging from an id that is not a message of this room fails with
   * "not_found" and teaches nothing about Campfire.
   */
  async page(options: { before?: number; after?: number; quick?: boolean } = {}): Promise<MessagePage | null> {
    if (!this.supports("read_edit")) return null;
    const timeoutMs = options.quick ? CONTEXT_READ_TIMEOUT_MS : undefined;
    const anchor = options.after ?? options.before;
    const page = await this.campfire.page(this.path, { before: options.before, after: options.after, timeoutMs });
    if (page !== null) return page;
    // Campfire answers 404 to an anchor not in the room, too: only a 404 to the plain read means an older Campfire.
    if (anchor !== undefined && (await this.campfire.page(this.path, { timeoutMs })) !== null) {
      throw new ServiceFailure(
        "campfire",
        "not_found",
        `Campfire has no message ${anchor} in this room to page from; use the id of a message read from the room`,
        404,
      );
    }
    this.lacksCapability("read_edit");
    return null;
  }

  /** The bot's own messages since `since` (a second of slack for clocks that differ); none when unreadable. */
  async ownMessagesSince(since: number): Promise<RoomMessage[]> {
    const recent = await this.recent().catch(() => null);
    return (recent ?? []).filter(
      (message) => message.creator.id === this.botUserId && Date.parse(message.createdAt) >= since - 1_000,
    );
  }

  /** Posts a file as a message of its own (a file message carries no text). */
  postFile(file: OutgoingFile): Promise<{ messageId?: number }> {
    return postAttachment(this.transport, this.path, file);
  }

  /** Boosts a message (e.g. 👀); null when this Campfire has no boosts for bots (learned and remembered). */
  async boost(messageId: number, content: string): Promise<number | null> {
    if (!this.supports("boosts")) return null;
    const boost = await addBoost(this.transport, this.path, messageId, content);
    if (boost !== "unsupported") return boost.boostId;
    this.lacksCapability("boosts");
    return null;
  }

  unboost(messageId: number, boostId: number): Promise<void> {
    return removeBoost(this.transport, this.path, messageId, boostId);
  }

  private readonly transport = (path: string, init: RequestInit) => this.campfire.request(path, init);
}
