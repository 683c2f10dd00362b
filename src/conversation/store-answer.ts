import type { Settlement } from "../budget/counters";
import { FAILURE_TALLIES, type FailureTally } from "../failure";
import type { Sql } from "../sqlite";
import { type Billing, billingFields } from "./meter";
import type { TokenUsage } from "./model";
import type { Outgoing } from "./state";
import type { Turn } from "./transcript";

// The statements of the answer's way out (kept, posted part by part, retried, settled): ConversationStore runs them.

/** Adds 1 to the failure tally bound to each `?` (one binding per tally, '' for none): one statement text for all. */
const COUNT_FAILED = FAILURE_TALLIES.map((tally) => `failed_${tally} = failed_${tally} + (? = '${tally}')`).join(", ");
const failedValues = (tally: FailureTally | null) => FAILURE_TALLIES.map(() => tally ?? "");

/** A held reservation as the conversation row's three columns. */
const budgetValues = (budget: Settlement | null): [string | null, number, number] =>
  budget ? [JSON.stringify(budget.rows), budget.micros, budget.costMicros] : [null, 0, 0];

export function writeAnswer(
  sql: Sql,
  outgoing: Outgoing,
  usage: TokenUsage,
  containerId: string | null,
  budget: Settlement | null,
  byFallback: boolean,
  rhythm: string | null,
  counted: { claudeMicros?: number; failed?: FailureTally },
): void {
  sql.exec(
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

export function writePosted(sql: Sql, parts: number, endsFailures: boolean): void {
  if (endsFailures)
    sql.exec(
      "UPDATE conversation SET out_posted = ?, retry_attempts = 0, retry_at = NULL, failing_since = NULL",
      parts,
    );
  else sql.exec("UPDATE conversation SET out_posted = ?", parts);
}

/** The settling's two statements; the caller runs them in one transaction. */
export function writeSettled(
  sql: Sql,
  uptoSeq: number,
  transcript: Turn[] | null,
  now: number,
  billing: Billing,
  failed: FailureTally | null,
): void {
  const b = billingFields(billing);
  sql.exec("DELETE FROM inbox WHERE seq <= ?", uptoSeq);
  sql.exec(
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
}

export function writeRetry(
  sql: Sql,
  attempts: number,
  since: number,
  at: number,
  budget: Settlement | null,
  failed: FailureTally,
): void {
  sql.exec(
    `UPDATE conversation SET retry_attempts = ?, failing_since = ?, retry_at = ?, budget_rows = ?, budget_held = ?, budget_cost = ?, ${COUNT_FAILED}`,
    attempts,
    since,
    at,
    ...budgetValues(budget),
    ...failedValues(failed),
  );
}
