import type { Settlement } from "../budget/counters";
import type { Capability } from "../campfire/room";
import { FAILURE_TALLIES, type FailureCounts, type FailureTally } from "../failure";
import { readFiringId } from "../schedules/firing";
import { tableDefinitions } from "../sqlite";
import { readRhythm } from "./cache-ttl";
import { directRoomLabel, type InboundMessage, isHashId } from "./message";
import { type Billing, billingFields, type Meter } from "./meter";
import type { TokenUsage } from "./model";
import { ReminderStore } from "./reminder-store";
import { addLaterColumns, SCHEMA, upgradeFirstRelease } from "./schema";
import type { ConversationState, Outgoing, PendingMessage } from "./state";
import type { History, Summary, Turn } from "./transcript";

type Row = Record<string, SqlStorageValue>;
const FAILED = FAILURE_TALLIES.map((tally) => `failed_${tally}`).join(", ");
/** Adds 1 to the failure tally bound to each `?` (one binding per tally, '' for none): one statement text for all. */
const COUNT_FAILED = FAILURE_TALLIES.map((tally) => `failed_${tally} = failed_${tally} + (? = '${tally}')`).join(", ");
const failedValues = (tally: FailureTally | null) => FAILURE_TALLIES.map(() => tally ?? "");
const int = (value: SqlStorageValue | undefined) => value as number;
const maybe = (value: SqlStorageValue | undefined) => value as number | null;

/**
 * The conversation's SQLite storage. Every method is synchronous, so each read-modify-write completes before any
 * other event reaches the object: a message arriving mid-answer can never be lost or reordered. Every statement
 * goes through the meter, so each request and alarm knows the rows it read and wrote.
 */
export class ConversationStore {
  /** Whether the tables exist (null until first looked at): created by the first message, dropped at eviction. */
  private existing: boolean | null = null;
  readonly reminders: ReminderStore;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly meter: Meter,
  ) {
    this.reminders = new ReminderStore(this.exec.bind(this), storage, () => this.tables().has("reminders"));
  }

  /** The tables there are, looked at once; a conversation stored by an earlier release is upgraded on the way. */
  private tables(): Set<string> {
    const definitions = tableDefinitions(this);
    const tables = new Set(definitions.keys());
    const conversation = definitions.get("conversation");
    if (tables.has("history")) this.storage.transactionSync(() => upgradeFirstRelease(this.storage.sql, tables));
    else if (conversation) addLaterColumns(this.storage.sql, conversation, definitions.get("inbox"));
    return tables;
  }

  private get exists(): boolean {
    if (this.existing === null) this.existing = this.tables().has("conversation");
    return this.existing;
  }

  /** Whether the conversation has begun: false before its first message, and again once it is evicted. */
  get begun(): boolean {
    return this.exists;
  }

  exec<T extends Row>(query: string, ...bindings: SqlStorageValue[]): SqlStorageCursor<T> {
    return this.meter.track(this.storage.sql.exec<T>(query, ...bindings));
  }

  /** Stores a message unless it was received before; returns false for a replay. */
  receive(botId: string, ttlMs: number, message: InboundMessage, now: number, replayWindowMs: number): boolean {
    if (!this.exists) {
      this.exec(SCHEMA);
      this.existing = true;
    }
    // A message id is seen once for the conversation's life; a hash stands for "the same words again" only briefly.
    const at = isHashId(message.messageId) ? now : null;
    const fresh = this.exec(
      "INSERT INTO seen VALUES (?1, ?2) ON CONFLICT (message_id) DO UPDATE SET at = ?2 WHERE seen.at IS NOT NULL AND seen.at < ?3",
      message.messageId,
      at,
      now - replayWindowMs,
    ).rowsWritten;
    if (fresh === 0) return false;
    // A scheduled turn knows no room name (''): it keeps the one Campfire last sent, or says "room <id>". A shared
    // room's name replaces the stored one; a direct room's label only replaces "room <id>", so the system prompt
    // (and its cache) stays the same when someone else writes in a direct room with several people.
    const shared = message.roomName !== null;
    this.exec(
      `INSERT INTO conversation (id, bot_id, room_id, room_name, ttl_ms, started_at, last_activity_at)
       VALUES (1, ?1, ?2, coalesce(nullif(?3, ''), 'room ' || cast(?2 AS INTEGER)), ?4, ?5, ?5)
       ON CONFLICT (id) DO UPDATE SET
         room_name = CASE WHEN ?3 <> '' AND (?6 OR room_name = 'room ' || room_id) THEN excluded.room_name ELSE room_name END, ttl_ms = excluded.ttl_ms
       WHERE (?3 <> '' AND (?6 OR room_name = 'room ' || room_id) AND room_name <> excluded.room_name) OR ttl_ms <> excluded.ttl_ms`,
      botId,
      message.roomId,
      message.roomName ?? directRoomLabel(message.userName),
      ttlMs,
      now,
      shared ? 1 : 0,
    );
    const campfireId = /^\d+$/.test(message.messageId) ? Number(message.messageId) : null;
    this.exec(
      "INSERT INTO inbox (message_id, user_id, user_name, text, received_at, firing, notes) VALUES (?, ?, ?, ?, ?, ?, ?)",
      campfireId,
      message.userId,
      message.userName,
      message.text,
      now,
      readFiringId(message.messageId) ? message.messageId : null,
      message.notes?.length ? JSON.stringify(message.notes) : null,
    );
    return true;
  }

  /** The conversation as one read (the transcript aside), or null when there is none (never started, or evicted). */
  state(): ConversationState | null {
    if (!this.exists) return null;
    const row = this.exec<Row>(
      `SELECT bot_id, room_id, room_name, ttl_ms, started_at, last_activity_at, turns, input_tokens, output_tokens, cache_read_tokens,
         cache_write_tokens, retry_attempts, retry_at, failing_since, draft_message_id, draft_posting_since, out_kind, out_upto_seq,
         out_prompt, out_context, out_markdown, out_message_id, out_posted, out_queued_at, out_files, out_boost, container_id, lacks, do_requests, rows_read, rows_written, subrequests,
         reported, reported_at, fallbacks, budget_rows, budget_held, budget_cost, cache_rhythm, claude_micros, ${FAILED}, EXISTS (SELECT 1 FROM inbox) AS waiting FROM conversation`,
    ).toArray()[0];
    if (!row) return null;
    return {
      botId: row.bot_id as string,
      roomId: int(row.room_id),
      roomName: row.room_name as string,
      ttlMs: int(row.ttl_ms),
      startedAt: int(row.started_at),
      lastActivityAt: int(row.last_activity_at),
      turns: int(row.turns),
      fallbacks: int(row.fallbacks),
      usage: {
        input: int(row.input_tokens),
        output: int(row.output_tokens),
        cacheRead: int(row.cache_read_tokens),
        cacheWrite: int(row.cache_write_tokens),
      },
      claudeMicros: int(row.claude_micros),
      retry: { attempts: int(row.retry_attempts), at: maybe(row.retry_at), since: maybe(row.failing_since) },
      draft: { messageId: maybe(row.draft_message_id), postingSince: maybe(row.draft_posting_since) },
      outgoing:
        row.out_kind === null
          ? null
          : {
              kind: row.out_kind as Outgoing["kind"],
              uptoSeq: int(row.out_upto_seq),
              prompt: row.out_prompt as string,
              context: JSON.parse((row.out_context as string | null) ?? "null") as Outgoing["context"],
              markdown: row.out_markdown as string,
              messageId: maybe(row.out_message_id),
              posted: int(row.out_posted),
              queuedAt: int(row.out_queued_at),
              files: JSON.parse((row.out_files as string | null) ?? "[]") as string[],
              boost: JSON.parse((row.out_boost as string | null) ?? "null") as Outgoing["boost"],
            },
      containerId: row.container_id as string | null,
      lacks: new Set((row.lacks as string).split(",").filter(Boolean) as Capability[]),
      waiting: row.waiting === 1,
      billing: {
        doRequests: int(row.do_requests),
        rowsRead: int(row.rows_read),
        rowsWritten: int(row.rows_written),
        subrequests: int(row.subrequests),
      },
      reported: row.reported as string | null,
      rhythm: readRhythm(row.cache_rhythm as string | null),
      reportedAt: int(row.reported_at),
      failures: Object.fromEntries(
        FAILURE_TALLIES.map((tally) => [tally, int(row[`failed_${tally}`])]),
      ) as FailureCounts,
      budget:
        row.budget_rows === null
          ? null
          : {
              rows: JSON.parse(row.budget_rows as string) as Settlement["rows"],
              micros: int(row.budget_held),
              costMicros: int(row.budget_cost),
            },
    };
  }

  /** The oldest waiting messages, at most `limit`: a burst is answered in turns of bounded size. */
  pending(limit: number): PendingMessage[] {
    return this.exec<{
      seq: number;
      message_id: number | null;
      user_id: number;
      user_name: string;
      text: string;
      notes: string | null;
    }>("SELECT seq, message_id, user_id, user_name, text, notes FROM inbox ORDER BY seq LIMIT ?", limit)
      .toArray()
      .map((row) => ({
        seq: row.seq,
        messageId: row.message_id,
        userId: row.user_id,
        userName: row.user_name,
        text: row.text,
        notes: row.notes === null ? [] : (JSON.parse(row.notes) as string[]),
      }));
  }

  /** The schedules' firings among the waiting messages up to `seq`: read before settling them, to keep their answer. */
  firingsUpto(seq: number): string[] {
    return this.exec<{ firing: string }>(
      "SELECT firing FROM inbox WHERE seq <= ? AND firing IS NOT NULL ORDER BY seq",
      seq,
    )
      .toArray()
      .map((row) => row.firing);
  }

  /** The newest waiting message's seq, or null when none waits. */
  lastWaitingSeq(): number | null {
    return this.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM inbox").one().seq;
  }

  waitingCount(): number {
    return this.exists ? this.exec<{ n: number }>("SELECT count(*) AS n FROM inbox").one().n : 0;
  }

  /** What Claude is sent of the conversation: the summary of dropped turns and the transcript, in one read. */
  history(): History {
    const row = this.exec<{ t: string; s: string | null }>(
      "SELECT transcript AS t, summary AS s FROM conversation",
    ).one();
    return { summary: JSON.parse(row.s ?? "null") as Summary | null, turns: JSON.parse(row.t) as Turn[] };
  }

  /** A new summary and the turns it did not take, together: a turn that fails after it keeps it, and pays it once. */
  keepHistory(history: History): void {
    this.exec(
      "UPDATE conversation SET summary = ?, transcript = ?",
      JSON.stringify(history.summary),
      JSON.stringify(history.turns),
    );
  }

  /**
   * Which of these Campfire message ids are part of the conversation already. One statement whatever their number:
   * each distinct SQL text stays prepared in the object's memory for its life (≈ 12 KB for a wide one, measured).
   */
  seenAmong(messageIds: number[]): Set<string> {
    if (messageIds.length === 0) return new Set();
    const ids = JSON.stringify(messageIds.map(String));
    return new Set(
      this.exec<{ id: string }>(
        "SELECT message_id AS id FROM seen WHERE message_id IN (SELECT value FROM json_each(?))",
        ids,
      )
        .toArray()
        .map((r) => r.id),
    );
  }

  /**
   * Keeps an answer and its billed tokens until it is posted; a retry then posts it without asking Claude again.
   * An answer the bot's fallback model wrote is counted as it is billed: now. The budget reservation the
   * conversation now holds, the turn's rhythm (for the cache ttls), what the turn cost and, for a sentence in place
   * of an answer, the failure or refusal it stands for go into the same write.
   */
  keepAnswer(
    outgoing: Outgoing,
    usage: TokenUsage,
    containerId: string | null,
    budget: Settlement | null,
    byFallback = false,
    rhythm: string | null = null,
    counted: { claudeMicros?: number; failed?: FailureTally } = {},
  ): void {
    this.exec(
      `UPDATE conversation SET out_kind = ?, out_upto_seq = ?, out_prompt = ?, out_context = ?, out_markdown = ?, out_message_id = ?, out_posted = ?, out_queued_at = ?,
         out_files = ?, out_boost = ?, container_id = coalesce(?, container_id), input_tokens = input_tokens + ?, output_tokens = output_tokens + ?, cache_read_tokens = cache_read_tokens + ?, cache_write_tokens = cache_write_tokens + ?,
         fallbacks = fallbacks + ?, retry_attempts = 0, retry_at = NULL, failing_since = NULL, budget_rows = ?, budget_held = ?, budget_cost = ?, cache_rhythm = coalesce(?, cache_rhythm),
         claude_micros = claude_micros + ?, ${COUNT_FAILED}`,
      outgoing.kind,
      outgoing.uptoSeq,
      outgoing.prompt,
      JSON.stringify(outgoing.context),
      outgoing.markdown,
      outgoing.messageId,
      outgoing.posted,
      outgoing.queuedAt,
      JSON.stringify(outgoing.files),
      JSON.stringify(outgoing.boost),
      containerId,
      usage.input,
      usage.output,
      usage.cacheRead,
      usage.cacheWrite,
      byFallback ? 1 : 0,
      ...budgetValues(budget),
      rhythm,
      counted.claudeMicros ?? 0,
      ...failedValues(counted.failed ?? null),
    );
  }

  /**
   * Another part of the answer is in the room. It ends the failures in a row, so a file's short budget never
   * counts a Campfire outage before it; a file given up in a line does not, so the next file has no budget left either.
   */
  markPosted(parts: number, endsFailures: boolean): void {
    if (endsFailures)
      this.exec(
        "UPDATE conversation SET out_posted = ?, retry_attempts = 0, retry_at = NULL, failing_since = NULL",
        parts,
      );
    else this.exec("UPDATE conversation SET out_posted = ?", parts);
  }

  /** Whether messages wait behind the answer being posted, which answers those up to `seq`. */
  waitingAfter(seq: number): boolean {
    return (
      this.exec<{ later: number }>("SELECT EXISTS (SELECT 1 FROM inbox WHERE seq > ?) AS later", seq).one().later === 1
    );
  }

  /**
   * The answer is in the room, or given up: its messages are settled, the transcript (replies only) and the totals
   * move on, and the conversation counts as active from now — one write to each table the turn touched. `failed`:
   * the answer was given up after that failure.
   */
  settle(
    uptoSeq: number,
    transcript: Turn[] | null,
    now: number,
    billing: Billing,
    failed: FailureTally | null = null,
  ): void {
    const b = billingFields(billing);
    this.storage.transactionSync(() => {
      this.exec("DELETE FROM inbox WHERE seq <= ?", uptoSeq);
      this.exec(
        `UPDATE conversation SET transcript = coalesce(?, transcript), turns = turns + ?, last_activity_at = ?, out_kind = NULL, out_upto_seq = NULL,
           out_prompt = NULL, out_context = NULL, out_markdown = NULL, out_message_id = NULL, out_posted = 0, out_queued_at = NULL, out_files = NULL, out_boost = NULL, retry_attempts = 0, retry_at = NULL,
           failing_since = NULL, draft_message_id = NULL, draft_posting_since = NULL, do_requests = do_requests + ?, rows_read = rows_read + ?,
           rows_written = rows_written + ?, subrequests = subrequests + ?, ${COUNT_FAILED}`,
        transcript && JSON.stringify(transcript),
        transcript ? 1 : 0,
        now,
        b.do_requests,
        b.rows_read,
        b.rows_written,
        b.subrequests,
        ...failedValues(failed),
      );
    });
  }

  /**
   * A failed attempt: how many in a row, since when, and when to try again; the budget reservation now held; and
   * the failure counted in its tally.
   */
  recordRetry(attempts: number, since: number, at: number, budget: Settlement | null, failed: FailureTally): void {
    this.exec(
      `UPDATE conversation SET retry_attempts = ?, failing_since = ?, retry_at = ?, budget_rows = ?, budget_held = ?, budget_cost = ?, ${COUNT_FAILED}`,
      attempts,
      since,
      at,
      ...budgetValues(budget),
      ...failedValues(failed),
    );
  }

  startDraftPost(now: number): void {
    this.exec("UPDATE conversation SET draft_posting_since = ?", now);
  }

  setDraftMessageId(messageId: number): void {
    this.exec("UPDATE conversation SET draft_message_id = ?, draft_posting_since = NULL", messageId);
  }

  setLacks(lacks: Set<Capability>): void {
    this.exec("UPDATE conversation SET lacks = ?", [...lacks].join(","));
  }

  /** What the registry was last told of this conversation ("alive" or "retrying"), and when. */
  markReported(phase: string, at: number): void {
    this.exec("UPDATE conversation SET reported = ?, reported_at = ?", phase, at);
  }

  /** Deletes every row, table and the alarm; the next message starts from an empty conversation. */
  async erase(): Promise<void> {
    await this.storage.deleteAlarm();
    await this.storage.deleteAll();
    this.meter.add({ rowsWritten: 1 });
    this.existing = false;
    this.reminders.forget();
  }
}

/** A held reservation as the conversation row's three columns. */
const budgetValues = (budget: Settlement | null): [string | null, number, number] =>
  budget ? [JSON.stringify(budget.rows), budget.micros, budget.costMicros] : [null, 0, 0];
