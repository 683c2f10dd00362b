/** How one kind of failure is retried: quick at first, capped, and given up after a window or a number of tries. */
export interface RetryPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  windowMs: number;
  maxAttempts: number;
}

/** Asking Claude (and unexpected errors): the room hears back within minutes, answer or apology. */
export const MODEL_RETRY: RetryPolicy = {
  firstDelayMs: 2_000,
  maxDelayMs: 60_000,
  windowMs: 3 * 60_000,
  maxAttempts: 6,
};

/** Reminders: a few tries within minutes of the first failed post, then dropped and logged. */
export const REMINDER_RETRY: RetryPolicy = MODEL_RETRY;

/**
 * Posting an answer Claude already wrote: it costs nothing to keep, so it waits out a Campfire restart or
 * upgrade — at least 30 minutes, as long as the conversation's TTL when that is longer, at most a day.
 */
export function deliveryRetry(ttlMs: number): RetryPolicy {
  return {
    firstDelayMs: 2_000,
    maxDelayMs: 5 * 60_000,
    windowMs: Math.max(30 * 60_000, Math.min(ttlMs, 24 * 3_600_000)),
    maxAttempts: Number.POSITIVE_INFINITY,
  };
}

/**
 * Runs of the alarm that may end in an error nothing of ours could record (storage refused even that), counted
 * by the platform: a throwing alarm handler is run again with back-off (2 s, 4 s, 8 s, 16 s; on Cloudflare at most
 * six times) and is told how often it was. Held by the runtime, this count survives evictions and restarts, which
 * no field of the object does. The run told it was retried this often gives up instead of throwing again.
 */
export const ESCAPED_ERROR_RETRIES = 4;

export function afterEscapedError(retryCount: number): "retry" | "give_up" {
  return retryCount < ESCAPED_ERROR_RETRIES ? "retry" : "give_up";
}

/**
 * Whether the tries at answering the waiting messages are spent. Read from storage on every run, so a run after
 * one that could not store the apology never asks the model again.
 */
export function answerRetriesOver(retry: { attempts: number }): boolean {
  return retry.attempts >= MODEL_RETRY.maxAttempts;
}

/**
 * Fetching a file Claude's code wrote from Anthropic's Files API. The answer's text is in the room by then, so a
 * file gets minutes, not the delivery window: back-off from 2 s capped at 15 s, for 2 minutes from its first
 * failure. With messages waiting behind the answer it gets one retry: they are not held behind a file.
 */
export function fileFetchRetry(laterMessages: boolean): RetryPolicy {
  return {
    firstDelayMs: 2_000,
    maxDelayMs: 15_000,
    windowMs: 2 * 60_000,
    maxAttempts: laterMessages ? 2 : Number.POSITIVE_INFINITY,
  };
}

export type RetryDecision = { retryAt: number } | { giveUp: true };

/**
 * Decides when to try again after the `attempts`-th failure in a row, which began at `failingSince`.
 * Honours the service's `retry-after`, spreads retries by ±20 % so many conversations don't retry in step,
 * never retries sooner than the first delay, and leaves one last attempt at the end of the window.
 */
export function decideRetry(
  policy: RetryPolicy,
  attempts: number,
  failingSince: number,
  now: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): RetryDecision {
  const deadline = failingSince + policy.windowMs;
  if (attempts >= policy.maxAttempts || now >= deadline) return { giveUp: true };
  const backoff = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (attempts - 1)) * (0.8 + 0.4 * random());
  const delay = Math.max(retryAfterMs ?? 0, backoff, policy.firstDelayMs * 0.8);
  return {
    retryAt: Math.max(now + Math.round(policy.firstDelayMs * 0.8), Math.min(now + Math.round(delay), deadline)),
  };
}

/**
 * What a failed stage of a turn leads to: answering follows the model's policy, posting to Campfire the delivery
 * one, fetching a file from Anthropic its own (`laterMessages`: whether messages wait behind the answer).
 */
export function retryAfterFailure(
  stage: "answer" | "deliver" | "fetch_file",
  failure: { retryable: boolean; retryAfterMs?: number },
  retry: { attempts: number; since: number | null },
  ttlMs: number,
  now: number,
  laterMessages = false,
): RetryDecision & { attempts: number; since: number } {
  const attempts = retry.attempts + 1;
  const since = retry.since ?? now;
  if (!failure.retryable) return { giveUp: true, attempts, since };
  const policy =
    stage === "answer" ? MODEL_RETRY : stage === "deliver" ? deliveryRetry(ttlMs) : fileFetchRetry(laterMessages);
  return { ...decideRetry(policy, attempts, since, now, failure.retryAfterMs), attempts, since };
}
