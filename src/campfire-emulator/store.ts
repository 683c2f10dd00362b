/**
 * What Campfire's bot API reads and writes, as Campfire's database holds it: users (bots authenticate by key),
 * room memberships, messages (rich-text HTML, or a file and no text) and boosts. The emulator's controller logic
 * (`bot-api.ts`) runs over this; the playground keeps it in SQLite, the Node fake in memory.
 */

export type Role = "member" | "administrator" | "bot";

export interface CampfireUser {
  id: number;
  name: string;
  role: Role;
}

/** An uploaded file as Active Storage describes it: the name is already sanitized as Campfire shows it. */
export interface StoredAttachment {
  filename: string;
  contentType: string;
  byteSize: number;
}

export interface StoredMessage {
  id: number;
  roomId: number;
  /** Epoch milliseconds (with microseconds, see `nextInstant`). Messages are ordered by it, as Campfire orders by `created_at`. */
  createdAt: number;
  creator: CampfireUser;
  /** The rich text's HTML as posted; empty for a file message, which has no text. */
  html: string;
  attachment?: StoredAttachment;
}

export interface StoredBoost {
  id: number;
  messageId: number;
  content: string;
  booster: CampfireUser;
  createdAt: number;
}

/** A file as a bot uploads it, its name already sanitized. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

/**
 * When a message made now is created: Campfire's clock counts microseconds, so two of its messages never share an
 * instant (its `before`/`after` scopes, which compare instants alone, rely on that); on a millisecond clock a message
 * gets a microsecond past the newest one instead.
 */
export const nextInstant = (newest: number, now = Date.now()): number => Math.max(now, newest + 0.001);

/** Where a page of messages starts: the newest ones, or those just before or just after a message. */
export type PageFrom = { latest: true } | { before: StoredMessage } | { after: StoredMessage };

export interface CampfireStore {
  /** The active bot with this key (`<user id>-<token>`), or null: Campfire's `User.authenticate_bot`. */
  authenticateBot(key: string): CampfireUser | null;
  /** Whether the user is in the room (Campfire's `Current.user.rooms`). */
  isMember(roomId: number, userId: number): boolean;
  /** The room's message with this id; null when there is none in that room. */
  message(roomId: number, id: number): StoredMessage | null;
  /**
   * Up to `limit` messages in creation order: the last ones overall or created before `from.before`, the first ones
   * created after `from.after` (by instant alone, as Campfire's scopes: one made at the anchor's instant is in neither).
   */
  page(roomId: number, from: PageFrom, limit: number): StoredMessage[];
  count(roomId: number): number;
  post(roomId: number, creator: CampfireUser, content: { html: string } | { file: UploadedFile }): StoredMessage;
  /** Replaces a message's text; returns the message as it is now. */
  edit(message: StoredMessage, html: string): StoredMessage;
  /** Deletes a message, its boosts and its file. */
  remove(message: StoredMessage): void;
  boost(message: StoredMessage, booster: CampfireUser, content: string): StoredBoost;
  /** The booster's own boost with this id on that message; null when there is none (others' boosts are not theirs to remove). */
  boostBy(message: StoredMessage, boostId: number, boosterId: number): StoredBoost | null;
  unboost(message: StoredMessage, boost: StoredBoost): void;
}
