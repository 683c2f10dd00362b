/** Backoff for failed model calls and posts: quick at first, bounded so the room hears back within minutes. */
export const RETRY_POLICY = {
  firstDelayMs: 2_000,
  maxDelayMs: 60_000,
  /** After this long failing, the room is told the bot could not answer. */
  windowMs: 3 * 60_000,
  maxAttempts: 6,
} as const;

export type RetryDecision = { retryAt: number } | { giveUp: true };

/**
 * Decides when to try again after the `attempts`-th failure in a row, which began at `failingSince`.
 * Honours the service's `retry-after`, spreads retries by ±20 % so many conversations don't retry in step,
 * and always leaves one last attempt at the end of the window rather than giving up early.
 */
export function decideRetry(
  attempts: number,
  failingSince: number,
  now: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): RetryDecision {
  const deadline = failingSince + RETRY_POLICY.windowMs;
  if (attempts >= RETRY_POLICY.maxAttempts || now >= deadline) return { giveUp: true };
  const backoff = Math.min(RETRY_POLICY.maxDelayMs, RETRY_POLICY.firstDelayMs * 2 ** (attempts - 1)) * (0.8 + 0.4 * random());
  const delay = Math.max(retryAfterMs ?? 0, backoff);
  return { retryAt: Math.min(now + Math.round(delay), deadline) };
}
