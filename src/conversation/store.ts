import type { Settlement } from "../budget/counters";
import type { Capability } from "../campfire/room";
import type { FailureTally } from "../failure";
import { tableDefinitions } from "../sqlite";
import type { InboundMessage } from "./message";
import type { Billing, Meter } from "./meter";
import type { TokenUsage } from "./model";
import { ReminderStore } from "./reminder-store";
import { addLaterColumns, SCHEMA, upgradeFirstRelease } from "./schema";
import type { ConversationState, Outgoing, PendingMessage } from "./state";
import { writeAnswer, writePosted, writeRetry, writeSettled } from "./store-answer";
import {
  countWaiting,
  newestWaitingSeq,
  oldestWaiting,
  receiveMessage,
  seenAmongIds,
  waitingFirings,
  waitsAfter,
} from "./store-inbox";
import { readState } from "./store-state";
import type { History, Summary, Turn } from "./transcript";

type Row = Record<string, SqlStorageValue>;

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
    return receiveMessage(this, botId, ttlMs, message, now, replayWindowMs);
  }

  /** The conversation as one read (the transcript aside), or null when there is none (never started, or evicted). */
  state(): ConversationState | null {
    if (!this.exists) return null;
    return readState(this);
  }

  /** The oldest waiting messages, at most `limit`: a burst is answered in turns of bounded size. */
  pending(limit: number): PendingMessage[] {
    return oldestWaiting(this, limit);
  }

  /** The schedules' firings among the waiting messages up to `seq`: read before settling them, to keep their answer. */
  firingsUpto(seq: number): string[] {
    return waitingFirings(this, seq);
  }

  /** The newest waiting message's seq, or null when none waits. */
  lastWaitingSeq(): number | null {
    return newestWaitingSeq(this);
  }

  waitingCount(): number {
    return this.exists ? countWaiting(this) : 0;
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

  /** Which of these Campfire message ids are part of the conversation already. */
  seenAmong(messageIds: number[]): Set<string> {
    return seenAmongIds(this, messageIds);
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
    writeAnswer(this, outgoing, usage, containerId, budget, byFallback, rhythm, counted);
  }

  /**
   * Another part of the answer is in the room. It ends the failures in a row, so a file's short budget never
   * counts a Campfire outage before it; a file given up in a line does not, so the next file has no budget left either.
   */
  markPosted(parts: number, endsFailures: boolean): void {
    writePosted(this, parts, endsFailures);
  }

  /** Whether messages wait behind the answer being posted, which answers those up to `seq`. */
  waitingAfter(seq: number): boolean {
    return waitsAfter(this, seq);
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
    this.storage.transactionSync(() => writeSettled(this, uptoSeq, transcript, now, billing, failed));
  }

  /**
   * A failed attempt: how many in a row, since when, and when to try again; the budget reservation now held; and
   * the failure counted in its tally.
   */
  recordRetry(attempts: number, since: number, at: number, budget: Settlement | null, failed: FailureTally): void {
    writeRetry(this, attempts, since, at, budget, failed);
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
