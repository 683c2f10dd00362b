import { Buffer } from "node:buffer";
import { DurableObject } from "cloudflare:workers";
import { type AttachmentRow, type BoostRow, type MessageRow, SCHEMA } from "./store-rows";

export interface PlaygroundBoost {
  id: number;
  messageId: number;
  content: string;
  booster: { id: number; name: string };
  createdAt: number;
}

/** What the room shows of a file message; the bytes are kept (base64) only for files up to 1 MB. */
export interface PlaygroundAttachment {
  name: string;
  type: string;
  size: number;
  downloadable: boolean;
}

export interface PlaygroundMessage {
  id: number;
  roomId: number;
  creator: { id: number; name: string; bot: boolean };
  /** Empty for a file message: a file message has no text. */
  body: string;
  createdAt: number;
  /** Bumped by every change, boosts included, so the page can ask only for what changed. */
  version: number;
  edits: number;
  boosts: PlaygroundBoost[];
  attachment?: PlaygroundAttachment;
}

/** A file as the bot uploads it. */
export interface PlaygroundFile {
  name: string;
  type: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** Bigger files are shown by name and size but not kept: a SQLite value holds at most 2 MB. */
export const MAX_STORED_FILE_BYTES = 1024 * 1024;

/**
 * The playground's stand-in for Campfire's database: every room's messages, people's and bots', their boosts
 * and uploaded files. One object for the whole local playground; it exists only when PLAYGROUND is on.
 */
export class PlaygroundCampfire extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    for (const statement of SCHEMA) ctx.storage.sql.exec(statement);
  }

  post(roomId: number, creator: PlaygroundMessage["creator"], body: string): PlaygroundMessage {
    const row = this.ctx.storage.sql
      .exec<MessageRow>(
        "INSERT INTO messages (room_id, creator_id, creator_name, bot, body, created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
        roomId, creator.id, creator.name, creator.bot ? 1 : 0, body, Date.now(), this.nextVersion(),
      )
      .one();
    return this.withExtras(row);
  }

  /** A file message: no text, the file's name, type and size, and its bytes when small enough. */
  postFile(roomId: number, creator: PlaygroundMessage["creator"], file: PlaygroundFile): PlaygroundMessage {
    const message = this.post(roomId, creator, "");
    const data = file.bytes.byteLength <= MAX_STORED_FILE_BYTES ? Buffer.from(file.bytes).toString("base64") : null;
    this.ctx.storage.sql.exec("INSERT INTO attachments (message_id, name, type, size, data) VALUES (?, ?, ?, ?, ?)", message.id, file.name, file.type, file.bytes.byteLength, data);
    return this.message(message.id)!;
  }

  /** A kept file's bytes; null when there is no such file or it was too big to keep. */
  file(id: number): PlaygroundFile | null {
    const row = this.ctx.storage.sql.exec<AttachmentRow>("SELECT * FROM attachments WHERE message_id = ?", id).toArray()[0];
    if (!row?.data) return null;
    return { name: row.name, type: row.type, bytes: new Uint8Array(Buffer.from(row.data, "base64")) };
  }

  edit(roomId: number, id: number, body: string): boolean {
    return this.ctx.storage.sql.exec("UPDATE messages SET body = ?, version = ?, edits = edits + 1 WHERE id = ? AND room_id = ? AND bot = 1", body, this.nextVersion(), id, roomId).rowsWritten > 0;
  }

  remove(roomId: number, id: number): boolean {
    const removed = this.ctx.storage.sql.exec("DELETE FROM messages WHERE id = ? AND room_id = ?", id, roomId).rowsWritten > 0;
    if (removed) {
      this.ctx.storage.sql.exec("DELETE FROM boosts WHERE message_id = ?", id);
      this.ctx.storage.sql.exec("DELETE FROM attachments WHERE message_id = ?", id);
    }
    return removed;
  }

  /** Boosts a message of the room; null when the room has no such message. */
  boost(roomId: number, messageId: number, content: string, booster: PlaygroundBoost["booster"]): PlaygroundBoost | null {
    if (!this.touch(roomId, messageId)) return null;
    const row = this.ctx.storage.sql
      .exec<BoostRow>("INSERT INTO boosts (message_id, content, booster_id, booster_name, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *", messageId, content, booster.id, booster.name, Date.now())
      .one();
    return toBoost(row);
  }

  /** Removes one's own boost; false when there is no such boost by this booster on that message. */
  unboost(roomId: number, messageId: number, boostId: number, boosterId: number): boolean {
    const removed = this.ctx.storage.sql.exec(
      "DELETE FROM boosts WHERE id = ? AND message_id = ? AND booster_id = ? AND message_id IN (SELECT id FROM messages WHERE room_id = ?)",
      boostId, messageId, boosterId, roomId,
    ).rowsWritten > 0;
    return removed && this.touch(roomId, messageId);
  }

  /** Up to 40 messages, oldest first: the newest ones, or those before a given id (Campfire's paging). */
  page(roomId: number, before?: number): PlaygroundMessage[] {
    return this.ctx.storage.sql
      .exec<MessageRow>("SELECT * FROM (SELECT * FROM messages WHERE room_id = ? AND id < ? ORDER BY id DESC LIMIT 40) ORDER BY id", roomId, before ?? Number.MAX_SAFE_INTEGER)
      .toArray()
      .map((row) => this.withExtras(row));
  }

  /** Every message of a room changed after `version`, for the page's polling. */
  changedSince(roomId: number, version: number): PlaygroundMessage[] {
    return this.ctx.storage.sql.exec<MessageRow>("SELECT * FROM messages WHERE room_id = ? AND version > ? ORDER BY id", roomId, version).toArray().map((row) => this.withExtras(row));
  }

  private message(id: number): PlaygroundMessage | undefined {
    const row = this.ctx.storage.sql.exec<MessageRow>("SELECT * FROM messages WHERE id = ?", id).toArray()[0];
    return row && this.withExtras(row);
  }

  /** Marks a message changed (its boosts did), so the page's next poll shows it again; false if it is not there. */
  private touch(roomId: number, messageId: number): boolean {
    return this.ctx.storage.sql.exec("UPDATE messages SET version = ? WHERE id = ? AND room_id = ?", this.nextVersion(), messageId, roomId).rowsWritten > 0;
  }

  private withExtras(row: MessageRow): PlaygroundMessage {
    const boosts = this.ctx.storage.sql.exec<BoostRow>("SELECT * FROM boosts WHERE message_id = ? ORDER BY id", row.id).toArray();
    const attachment = this.ctx.storage.sql.exec<AttachmentRow>("SELECT * FROM attachments WHERE message_id = ?", row.id).toArray()[0];
    return toMessage(row, boosts, attachment);
  }

  private nextVersion(): number {
    return this.ctx.storage.sql.exec<{ v: number }>("SELECT coalesce(max(version), 0) + 1 AS v FROM messages").one().v;
  }
}

function toBoost(row: BoostRow): PlaygroundBoost {
  return { id: row.id, messageId: row.message_id, content: row.content, booster: { id: row.booster_id, name: row.booster_name }, createdAt: row.created_at };
}

function toMessage(row: MessageRow, boosts: BoostRow[], attachment: AttachmentRow | undefined): PlaygroundMessage {
  return {
    id: row.id,
    roomId: row.room_id,
    creator: { id: row.creator_id, name: row.creator_name, bot: row.bot === 1 },
    body: row.body,
    createdAt: row.created_at,
    version: row.version,
    edits: row.edits,
    boosts: boosts.map(toBoost),
    ...(attachment && { attachment: { name: attachment.name, type: attachment.type, size: attachment.size, downloadable: attachment.data !== null } }),
  };
}
