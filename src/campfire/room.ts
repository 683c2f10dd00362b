import { ServiceFailure } from "../failure";
import type { CampfireClient, RoomMessage } from "./client";

/** What an older Campfire lacks: reading and editing (one API, added together) and boosts, both from 2026. */
export type Capability = "read_edit" | "boosts";

/** A bot's own Campfire user id: its key is `<bot user id>-<12 characters>`. */
export function botUserId(botKey: string): number {
  return Number(botKey.split("-")[0]);
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
    /** Campfire's base URL, for permalinks to messages. */
    readonly campfireUrl: string,
  ) {
    this.path = `/rooms/${id}/${encodeURIComponent(botKey)}/messages`;
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

  /** A message's permanent link in this room. */
  permalink(messageId: number): string {
    return `${this.campfireUrl}/rooms/${this.id}/@${messageId}`;
  }

  /** Posts an HTML message; resolves with the new message's id (from `Location`) when Campfire gives one. */
  async post(html: string): Promise<{ messageId?: number }> {
    const response = await this.campfire.send(this.path, { method: "POST", headers: { "content-type": "text/html; charset=utf-8" }, body: html }, "a post");
    await response.body?.cancel();
    return messageIdOf(response);
  }

  /** Replaces the text of one of the bot's own messages; false when this Campfire cannot edit. */
  async edit(messageId: number, html: string): Promise<boolean> {
    if (!this.supports("read_edit")) return false;
    try {
      const response = await this.campfire.send(`${this.path}/${messageId}`, { method: "PATCH", headers: { "content-type": "text/html; charset=utf-8" }, body: html }, "an edit");
      await response.body?.cancel();
      return true;
    } catch (error) {
      if (!(error instanceof ServiceFailure && error.kind === "not_found")) throw error;
      this.lacksCapability("read_edit");
      return false;
    }
  }

  /** Recent messages, oldest first; null when this Campfire cannot be read (learned and remembered). */
  async recent(options: { before?: number; quick?: boolean } = {}): Promise<RoomMessage[] | null> {
    if (!this.supports("read_edit")) return null;
    const messages = await this.campfire.recent(this.path, { before: options.before, timeoutMs: options.quick ? CONTEXT_READ_TIMEOUT_MS : undefined });
    if (messages === null) this.lacksCapability("read_edit");
    return messages;
  }

  /** The bot's own messages since `since` (a second of slack for clocks that differ); none when unreadable. */
  async ownMessagesSince(since: number): Promise<RoomMessage[]> {
    const recent = await this.recent().catch(() => null);
    return (recent ?? []).filter((message) => message.creator.id === this.botUserId && Date.parse(message.createdAt) >= since - 1_000);
  }

  /** Raw access for calls built elsewhere (attachments, boosts): same base URL, timeout and counting. */
  send(path: string, init: RequestInit, what: string): Promise<Response> {
    return this.campfire.send(path, init, what);
  }
}

function messageIdOf(response: Response): { messageId?: number } {
  const id = Number(response.headers.get("location")?.split("/").pop());
  return Number.isInteger(id) && id > 0 ? { messageId: id } : {};
}

