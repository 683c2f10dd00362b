import type { Settlement } from "../budget/counters";
import type { Capability } from "../campfire/room";
import { FAILURE_TALLIES, type FailureCounts } from "../failure";
import type { Sql } from "../sqlite";
import { readRhythm } from "./cache-ttl";
import type { ConversationState, Outgoing } from "./state";

type Row = Record<string, SqlStorageValue>;
const FAILED = FAILURE_TALLIES.map((tally) => `failed_${tally}`).join(", ");
const int = (value: SqlStorageValue | undefined) => value as number;
const maybe = (value: SqlStorageValue | undefined) => value as number | null;

/** The conversation row as one read (the transcript aside), or null when there is none. */
export function readState(sql: Sql): ConversationState | null {
  const row = sql
    .exec<Row>(
      `SELECT bot_id, room_id, room_name, ttl_ms, started_at, last_activity_at, turns, input_tokens, output_tokens, cache_read_tokens,
         cache_write_tokens, retry_attempts, retry_at, failing_since, draft_message_id, draft_posting_since, out_kind, out_upto_seq,
         out_prompt, out_context, out_markdown, out_message_id, out_posted, out_queued_at, out_files, out_boost, container_id, lacks, do_requests, rows_read, rows_written, subrequests,
         reported, reported_at, fallbacks, budget_rows, budget_held, budget_cost, cache_rhythm, claude_micros, ${FAILED}, EXISTS (SELECT 1 FROM inbox) AS waiting FROM conversation`,
    )
    .toArray()[0];
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
    failures: Object.fromEntries(FAILURE_TALLIES.map((tally) => [tally, int(row[`failed_${tally}`])])) as FailureCounts,
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
