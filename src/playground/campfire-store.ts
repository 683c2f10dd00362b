import { DurableObject } from "cloudflare:workers";

export interface PlaygroundMessage {
  id: number;
  roomId: number;
  creator: { id: number; name: string; bot: boolean };
  body: string;
  createdAt: number;
  /** Bumped by every change, so the page can ask only for what changed. */
  version: number;
  edits: number;
}

/**
 * The playground's stand-in for Campfire's database: every room's messages, people's and bots'. One object
 * for the whole local playground; it exists only when PLAYGROUND is on.
 */
export class PlaygroundCampfire extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT, room_id INTEGER NOT NULL, creator_id INTEGER NOT NULL, creator_name TEXT NOT NULL,
      bot INTEGER NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL, version INTEGER NOT NULL, edits INTEGER NOT NULL DEFAULT 0)`);
  }

  post(roomId: number, creator: PlaygroundMessage["creator"], body: string): PlaygroundMessage {
    const row = this.ctx.storage.sql
      .exec<Row>(
        "INSERT INTO messages (room_id, creator_id, creator_name, bot, body, created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
        roomId, creator.id, creator.name, creator.bot ? 1 : 0, body, Date.now(), this.nextVersion(),
      )
      .one();
    return toMessage(row);
  }

  edit(roomId: number, id: number, body: string): boolean {
    return this.ctx.storage.sql.exec("UPDATE messages SET body = ?, version = ?, edits = edits + 1 WHERE id = ? AND room_id = ? AND bot = 1", body, this.nextVersion(), id, roomId).rowsWritten > 0;
  }

  remove(roomId: number, id: number): boolean {
    return this.ctx.storage.sql.exec("DELETE FROM messages WHERE id = ? AND room_id = ?", id, roomId).rowsWritten > 0;
  }

  /** Up to 40 messages, oldest first: the newest ones, or those before a given id (Campfire's paging). */
  page(roomId: number, before?: number): PlaygroundMessage[] {
    return this.ctx.storage.sql
      .exec<Row>("SELECT * FROM (SELECT * FROM messages WHERE room_id = ? AND id < ? ORDER BY id DESC LIMIT 40) ORDER BY id", roomId, before ?? Number.MAX_SAFE_INTEGER)
      .toArray()
      .map(toMessage);
  }

  /** Every message of a room changed after `version`, for the page's polling. */
  changedSince(roomId: number, version: number): PlaygroundMessage[] {
    return this.ctx.storage.sql.exec<Row>("SELECT * FROM messages WHERE room_id = ? AND version > ? ORDER BY id", roomId, version).toArray().map(toMessage);
  }

  private nextVersion(): number {
    return this.ctx.storage.sql.exec<{ v: number }>("SELECT coalesce(max(version), 0) + 1 AS v FROM messages").one().v;
  }
}

type Row = { id: number; room_id: number; creator_id: number; creator_name: string; bot: number; body: string; created_at: number; version: number; edits: number };

function toMessage(row: Row): PlaygroundMessage {
  return {
    id: row.id,
    roomId: row.room_id,
    creator: { id: row.creator_id, name: row.creator_name, bot: row.bot === 1 },
    body: row.body,
    createdAt: row.created_at,
    version: row.version,
    edits: row.edits,
  };
}
