import { describe, expect, it } from "vitest";
import { decideRetry, RETRY_POLICY } from "../../src/conversation/retry";

const middle = () => 0.5;

describe("decideRetry", () => {
  it("backs off exponentially from the first delay", () => {
    const delays = [1, 2, 3, 4].map((attempts) => (decideRetry(attempts, 0, 0, undefined, middle) as { retryAt: number }).retryAt);
    expect(delays).toEqual([2_000, 4_000, 8_000, 16_000]);
  });

  it("spreads retries by at most 20% either way", () => {
    expect(decideRetry(1, 0, 0, undefined, () => 0)).toEqual({ retryAt: 1_600 });
    expect(decideRetry(1, 0, 0, undefined, () => 0.999_999)).toEqual({ retryAt: 2_400 });
  });

  it("waits at least as long as retry-after asks", () => {
    expect(decideRetry(1, 0, 0, 30_000, middle)).toEqual({ retryAt: 30_000 });
  });

  it("never schedules past the window, so the last attempt lands at its end", () => {
    const now = RETRY_POLICY.windowMs - 5_000;
    expect(decideRetry(2, 0, now, 60_000, middle)).toEqual({ retryAt: RETRY_POLICY.windowMs });
  });

  it("gives up after the last attempt or once the window has passed", () => {
    expect(decideRetry(RETRY_POLICY.maxAttempts, 0, 0, undefined, middle)).toEqual({ giveUp: true });
    expect(decideRetry(1, 0, RETRY_POLICY.windowMs, undefined, middle)).toEqual({ giveUp: true });
  });
});
