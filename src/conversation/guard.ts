import { decideRetry, MODEL_RETRY } from "./retry";

/**
 * The last line of defence, in memory: an error escaped even the recording of a failure (storage itself
 * refuses), so nothing durable says when to try again. It backs off like any failure and, when that runs out,
 * gives up: the room is told once and the conversation is forgotten at `notBefore` instead of calling the model.
 */
export class FailureGuard {
  private attempts = 0;
  private since: number | null = null;
  notBefore: number | null = null;
  gaveUp = false;

  /** Records one escaped error; returns "give_up" the first time retrying is over. */
  failed(now: number, ttlMs: number): "retry" | "give_up" {
    this.attempts++;
    this.since ??= now;
    const decision = decideRetry(MODEL_RETRY, this.attempts, this.since, now);
    if ("retryAt" in decision) {
      this.notBefore = decision.retryAt;
      return "retry";
    }
    const first = !this.gaveUp;
    this.gaveUp = true;
    this.notBefore = now + Math.max(ttlMs, MODEL_RETRY.maxDelayMs);
    return first ? "give_up" : "retry";
  }

  /** A run completed without an escaped error. */
  cleared(): void {
    if (this.gaveUp) return;
    this.attempts = 0;
    this.since = null;
    this.notBefore = null;
  }
}
