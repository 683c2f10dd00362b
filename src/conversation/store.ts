import type { TokenUsage } from "../claude";
import type { InboundMessage } from "../webhook/payload";
import { ReminderStore } from "./reminder-store";
import { ADDED_COLUMNS, SCHEMA } from "./schema";

/** A message waiting for the bot's answer, in arrival order. */
export interface PendingMessage {
  seq: number;
  userName: string;
  text: string;
}

export interface Turn {
  seq: number;
  role: "user" | "assistant";
  content: string;
}

/** An answer (or an apology) ready to post, kept until Campfire has it so a crash or outage cannot lose it. */
export interface Outgoing {
  kind: "reply" | "error";
  /** The last inbox message this answers; everything up to it is settled once it is posted. */
  uptoSeq: number;
  /** The user turn as Claude saw it, recorded in history with the reply. */
  prompt: string;
  markdown: string;
  /** A message already in the room for this turn (streamed text or a progress line): the first part edits it. */
  messageId: number | null;
  /** How many of the answer's parts are already posted, so a retry or restart posts only the rest. */
  posted: number;
  /** When it was stored; a repeated delivery looks for its own earlier post only after this. */
  queuedAt: number;
}

export interface ConversationState {
  botId: string;
  roomId: number;
  roomName: string;
  ttlMs: number;
  startedAt: number;
  lastActivityAt: number;
  turns: number;
  usage: TokenUsage;
  retryAttempts: number;
  retryAt: number | null;
  failingSince: number | null;
}

/**
 * The conversation's SQLite storage. Every method is synchronous, so each read-modify-write completes
 * before any other event reaches the object: a message arriving mid-answer can never be lost or reordered.
 */
export class ConversationStore {
  /** Whether the tables exist: they are created by the first message and dropped, all of them, at eviction. */
  private exists: boolean;

  /** The conversation's reminders: the same storage, kept apart because they have a life of their own. */
  readonly reminders: ReminderStore;

  constructor(private readonly storage: DurableObjectStorage) {
    this.reminders = new ReminderStore(storage);
    // One look at the table's columns says whether it exists and, after an upgrade, which columns it lacks.
    const columns = new Set(storage.sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('conversation')").toArray().map((c) => c.name));
    this.exists = columns.size > 0;
    if (this.exists) for (const [column, ddl] of Object.entries(ADDED_COLUMNS)) if (!columns.has(column)) storage.sql.exec(ddl);
  }

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  /** Stores a message unless its id was seen before; returns false for a duplicate. */
  receive(botId: string, ttlMs: number, message: InboundMessage, now: number): boolean {
    if (!this.exists) {
      this.sql.exec(SCHEMA);
      this.exists = true;
    }
    if (message.messageId !== null) {
      const inserted = this.sql.exec("INSERT OR IGNORE INTO seen (message_id) VALUES (?)", message.messageId).rowsWritten;
      if (inserted === 0) return false;
    }
    this.sql.exec(
      // A scheduled turn knows no room name (''): it keeps the one Campfire last sent, or says "room <id>".
      `INSERT INTO conversation (id, bot_id, room_id, room_name, ttl_ms, started_at, last_activity_at)
       VALUES (1, ?1, ?2, coalesce(nullif(?3, ''), 'room ' || cast(?2 AS INTEGER)), ?4, ?5, ?5)
       ON CONFLICT (id) DO UPDATE SET room_name = coalesce(nullif(?3, ''), room_name), ttl_ms = excluded.ttl_ms, last_activity_at = excluded.last_activity_at`,
      botId,
      message.roomId,
      message.roomName,
      ttlMs,
      now,
    );
    this.sql.exec(
      "INSERT INTO inbox (user_id, user_name, text, received_at) VALUES (?, ?, ?, ?)",
      message.userId,
      message.userName,
      message.text,
      now,
    );
    return true;
  }

  /** The conversation's metadata, or null when there is no conversation (never started, or evicted). */
  state(): ConversationState | null {
    if (!this.exists) return null;
    const row = this.sql.exec<Record<string, SqlStorageValue>>("SELECT * FROM conversation WHERE id = 1").toArray()[0];
    if (!row) return null;
    return {
      botId: row.bot_id as string,
      roomId: row.room_id as number,
      roomName: row.room_name as string,
      ttlMs: row.ttl_ms as number,
      startedAt: row.started_at as number,
      lastActivityAt: row.last_activity_at as number,
      turns: row.turns as number,
      usage: {
        input: row.input_tokens as number,
        output: row.output_tokens as number,
        cacheRead: row.cache_read_tokens as number,
        cacheWrite: row.cache_write_tokens as number,
      },
      retryAttempts: row.retry_attempts as number,
      retryAt: row.retry_at as number | null,
      failingSince: row.failing_since as number | null,
    };
  }

  pending(): PendingMessage[] {
    return this.sql
      .exec<{ seq: number; user_name: string; text: string }>("SELECT seq, user_name, text FROM inbox ORDER BY seq")
      .toArray()
      .map((row) => ({ seq: row.seq, userName: row.user_name, text: row.text }));
  }

  waitingCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM inbox").one().n;
  }

  hasPendingWork(): boolean {
    return this.sql.exec<{ n: number }>("SELECT (SELECT count(*) FROM inbox) + (SELECT count(*) FROM outbox) AS n").one().n > 0;
  }

  history(): Turn[] {
    return this.sql.exec<{ seq: number; role: Turn["role"]; content: string }>("SELECT seq, role, content FROM history ORDER BY seq").toArray();
  }

  /** Forgets history up to and including `seq`, to keep what is sent to Claude within the bot's budget. */
  dropHistoryThrough(seq: number): void {
    this.sql.exec("DELETE FROM history WHERE seq <= ?", seq);
  }

  /** Whether a Campfire message is part of this conversation (so it is not repeated as room context). */
  hasSeen(messageId: number): boolean {
    return this.sql.exec("SELECT 1 FROM seen WHERE message_id = ?", String(messageId)).toArray().length > 0;
  }

  /** The message this turn already showed in the room, kept so a restart edits it instead of posting anew. */
  draftMessageId(): number | null {
    return this.sql.exec<{ id: number | null }>("SELECT draft_message_id AS id FROM conversation").one().id;
  }

  setDraftMessageId(messageId: number): void {
    this.sql.exec("UPDATE conversation SET draft_message_id = ?, draft_posting_since = NULL", messageId);
  }

  /** When this turn began posting a draft whose id is not known yet: a crash there leaves it to be found. */
  draftPostingSince(): number | null {
    return this.sql.exec<{ since: number | null }>("SELECT draft_posting_since AS since FROM conversation").one().since;
  }

  startDraftPost(now: number): void {
    this.sql.exec("UPDATE conversation SET draft_posting_since = ?", now);
  }

  outgoing(): Outgoing | null {
    const row = this.sql
      .exec<{ kind: Outgoing["kind"]; upto_seq: number; prompt: string; markdown: string; message_id: number | null; posted: number; queued_at: number }>("SELECT * FROM outbox")
      .toArray()[0];
    return row
      ? { kind: row.kind, uptoSeq: row.upto_seq, prompt: row.prompt, markdown: row.markdown, messageId: row.message_id, posted: row.posted, queuedAt: row.queued_at }
      : null;
  }

  markPosted(parts: number): void {
    this.sql.exec("UPDATE outbox SET posted = ?", parts);
  }

  /** Adds a model call's tokens to the conversation's running totals; they are billed whether or not it is posted. */
  recordUsage(usage: TokenUsage): void {
    this.sql.exec(
      `UPDATE conversation SET input_tokens = input_tokens + ?, output_tokens = output_tokens + ?,
       cache_read_tokens = cache_read_tokens + ?, cache_write_tokens = cache_write_tokens + ?`,
      usage.input,
      usage.output,
      usage.cacheRead,
      usage.cacheWrite,
    );
  }

  /** Keeps an answer until it is posted; a retry then posts it without asking Claude again. */
  queueOutgoing(outgoing: Outgoing): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO outbox (id, kind, upto_seq, prompt, markdown, message_id, posted, queued_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
      outgoing.kind,
      outgoing.uptoSeq,
      outgoing.prompt,
      outgoing.markdown,
      outgoing.messageId,
      outgoing.posted,
      outgoing.queuedAt,
    );
    this.clearRetry();
  }

  /** The answer is in the room: record the turn (replies only) and settle the messages it answered, together. */
  settleOutgoing(outgoing: Outgoing, now: number): void {
    this.storage.transactionSync(() => {
      if (outgoing.kind === "reply") {
        this.sql.exec("INSERT INTO history (role, content, created_at) VALUES ('user', ?, ?), ('assistant', ?, ?)", outgoing.prompt, now, outgoing.markdown, now);
      }
      this.sql.exec("DELETE FROM inbox WHERE seq <= ?", outgoing.uptoSeq);
      this.sql.exec("DELETE FROM outbox");
      this.sql.exec(
        "UPDATE conversation SET last_activity_at = ?, turns = turns + ?, retry_attempts = 0, retry_at = NULL, failing_since = NULL, draft_message_id = NULL, draft_posting_since = NULL",
        now,
        outgoing.kind === "reply" ? 1 : 0,
      );
    });
  }

  /** Gives up on an answer that could not be posted: its messages are settled, nothing enters history. */
  dropOutgoing(outgoing: Outgoing): void {
    this.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM inbox WHERE seq <= ?", outgoing.uptoSeq);
      this.sql.exec("DELETE FROM outbox");
      this.sql.exec("UPDATE conversation SET draft_message_id = NULL, draft_posting_since = NULL");
      this.clearRetry();
    });
  }

  /** Records a failed attempt; returns the number of failures in a row and when they began. */
  recordFailure(now: number): { attempts: number; failingSince: number } {
    return this.sql
      .exec<{ attempts: number; failingSince: number }>(
        `UPDATE conversation SET retry_attempts = retry_attempts + 1, failing_since = coalesce(failing_since, ?)
         RETURNING retry_attempts AS attempts, failing_since AS failingSince`,
        now,
      )
      .one();
  }

  scheduleRetry(at: number): void {
    this.sql.exec("UPDATE conversation SET retry_at = ?", at);
  }

  private clearRetry(): void {
    this.sql.exec("UPDATE conversation SET retry_attempts = 0, retry_at = NULL, failing_since = NULL");
  }

  /** Deletes every row and table; the next message starts from an empty conversation. */
  async erase(): Promise<void> {
    await this.storage.deleteAlarm();
    await this.storage.deleteAll();
    this.exists = false;
  }
}
