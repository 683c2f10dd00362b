import { Buffer } from "node:buffer";
import {
  type CampfireStore,
  type CampfireUser,
  nextInstant,
  type PageFrom,
  type StoredBoost,
  type StoredMessage,
  type UploadedFile,
} from "../campfire-emulator/store";
import {
  type AttachmentRow,
  type BoostRow,
  type MessageRow,
  type PlaygroundMessage,
  toPlaygroundMessage,
  toStoredBoost,
  toStoredMessage,
} from "./store-rows";

/** Bigger files are shown by name and size but not kept: a SQLite value holds at most 2 MB. */
export const MAX_STORED_FILE_BYTES = 1024 * 1024;

/** A file kept for download from the page. */
export interface StoredFile {
  name: string;
  type: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/**
 * The playground's Campfire database in its object's SQLite, for the Campfire emulator's bot API and for the
 * page: every change bumps a version, so the page polls only what changed.
 */
export class SqliteCampfireStore implements CampfireStore {
  constructor(
    private readonly sql: SqlStorage,
    /** The configured bots, by key. */
    private readonly bots: ReadonlyMap<string, CampfireUser>,
    private readonly rooms: readonly number[],
  ) {}

  authenticateBot(key: string): CampfireUser | null {
    return this.bots.get(key) ?? null;
  }

  isMember(roomId: number): boolean {
    return this.rooms.includes(roomId);
  }

  message(roomId: number, id: number): StoredMessage | null {
    const row = this.sql
      .exec<MessageRow>("SELECT * FROM messages WHERE id = ? AND room_id = ?", id, roomId)
      .toArray()[0];
    return row ? toStoredMessage(row, this.attachmentRow(row.id)) : null;
  }

  page(roomId: number, from: PageFrom, limit: number): StoredMessage[] {
    let rows: MessageRow[];
    if ("after" in from) {
      rows = this.sql
        .exec<MessageRow>(
          "SELECT * FROM messages WHERE room_id = ? AND created_at > ? ORDER BY created_at, id LIMIT ?",
          roomId,
          from.after.createdAt,
          limit,
        )
        .toArray();
    } else {
      const createdAt = "before" in from ? from.before.createdAt : Number.MAX_VALUE;
      rows = this.sql
        .exec<MessageRow>(
          "SELECT * FROM messages WHERE room_id = ? AND created_at < ? ORDER BY created_at DESC, id DESC LIMIT ?",
          roomId,
          createdAt,
          limit,
        )
        .toArray()
        .reverse();
    }
    return rows.map((row) => toStoredMessage(row, this.attachmentRow(row.id)));
  }

  count(roomId: number): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM messages WHERE room_id = ?", roomId).one().n;
  }

  /** A message; a file message has no text, and keeps the file's bytes when small enough. */
  post(roomId: number, creator: CampfireUser, content: { html: string } | { file: UploadedFile }): StoredMessage {
    const html = "html" in content ? content.html : "";
    const row = this.sql
      .exec<MessageRow>(
        "INSERT INTO messages (room_id, creator_id, creator_name, bot, body, created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
        roomId,
        creator.id,
        creator.name,
        creator.role === "bot" ? 1 : 0,
        html,
        nextInstant(this.sql.exec<{ t: number }>("SELECT coalesce(max(created_at), 0) AS t FROM messages").one().t),
        this.nextVersion(),
      )
      .one();
    if ("file" in content) {
      const { filename, contentType, bytes } = content.file;
      const data = bytes.byteLength <= MAX_STORED_FILE_BYTES ? Buffer.from(bytes).toString("base64") : null;
      this.sql.exec(
        "INSERT INTO attachments (message_id, name, type, size, data) VALUES (?, ?, ?, ?, ?)",
        row.id,
        filename,
        contentType,
        bytes.byteLength,
        data,
      );
    }
    return toStoredMessage(row, this.attachmentRow(row.id));
  }

  edit(message: StoredMessage, html: string): StoredMessage {
    this.sql.exec(
      "UPDATE messages SET body = ?, version = ?, edits = edits + 1 WHERE id = ?",
      html,
      this.nextVersion(),
      message.id,
    );
    return this.message(message.roomId, message.id)!;
  }

  remove(message: StoredMessage): void {
    this.sql.exec("DELETE FROM messages WHERE id = ?", message.id);
    this.sql.exec("DELETE FROM boosts WHERE message_id = ?", message.id);
    this.sql.exec("DELETE FROM attachments WHERE message_id = ?", message.id);
  }

  boost(message: StoredMessage, booster: CampfireUser, content: string): StoredBoost {
    const row = this.sql
      .exec<BoostRow>(
        "INSERT INTO boosts (message_id, content, booster_id, booster_name, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *",
        message.id,
        content,
        booster.id,
        booster.name,
        Date.now(),
      )
      .one();
    this.touch(message.id);
    return toStoredBoost(row);
  }

  boostBy(message: StoredMessage, boostId: number, boosterId: number): StoredBoost | null {
    const row = this.sql
      .exec<BoostRow>(
        "SELECT * FROM boosts WHERE id = ? AND message_id = ? AND booster_id = ?",
        boostId,
        message.id,
        boosterId,
      )
      .toArray()[0];
    return row ? toStoredBoost(row) : null;
  }

  unboost(message: StoredMessage, boost: StoredBoost): void {
    this.sql.exec("DELETE FROM boosts WHERE id = ?", boost.id);
    this.touch(message.id);
  }

  /** Every message of a room changed after `version`, for the page's polling. */
  changedSince(roomId: number, version: number): PlaygroundMessage[] {
    return this.sql
      .exec<MessageRow>(
        "SELECT * FROM messages WHERE room_id = ? AND version > ? ORDER BY created_at, id",
        roomId,
        version,
      )
      .toArray()
      .map((row) => this.toPage(row));
  }

  /** A message as the page shows it. */
  forPage(id: number): PlaygroundMessage {
    return this.toPage(this.sql.exec<MessageRow>("SELECT * FROM messages WHERE id = ?", id).one());
  }

  /** A kept file's bytes; null when there is no such file or it was too big to keep. */
  file(messageId: number): StoredFile | null {
    const row = this.attachmentRow(messageId);
    if (!row?.data) return null;
    return { name: row.name, type: row.type, bytes: new Uint8Array(Buffer.from(row.data, "base64")) };
  }

  private toPage(row: MessageRow): PlaygroundMessage {
    const boosts = this.sql.exec<BoostRow>("SELECT * FROM boosts WHERE message_id = ? ORDER BY id", row.id).toArray();
    return toPlaygroundMessage(row, boosts, this.attachmentRow(row.id));
  }

  private attachmentRow(messageId: number): AttachmentRow | undefined {
    return this.sql.exec<AttachmentRow>("SELECT * FROM attachments WHERE message_id = ?", messageId).toArray()[0];
  }

  /** Marks a message changed (its boosts did), so the page's next poll shows it again. */
  private touch(messageId: number): void {
    this.sql.exec("UPDATE messages SET version = ? WHERE id = ?", this.nextVersion(), messageId);
  }

  private nextVersion(): number {
    return this.sql.exec<{ v: number }>("SELECT coalesce(max(version), 0) + 1 AS v FROM messages").one().v;
  }
}
