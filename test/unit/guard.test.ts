import { describe, expect, it } from "vitest";
import { FailureGuard } from "../../src/conversation/guard";
import { MODEL_RETRY } from "../../src/conversation/retry";

describe("FailureGuard: errors that not even storage could record", () => {
  it("backs off further each time, never at once, then gives up exactly once and pauses until the TTL", () => {
    const guard = new FailureGuard();
    const ttl = 3_600_000;
    let now = 0;
    const verdicts: string[] = [];
    for (let i = 0; i < MODEL_RETRY.maxAttempts + 2; i++) {
      verdicts.push(guard.failed(now, ttl));
      expect(guard.notBefore! - now).toBeGreaterThanOrEqual(1_000);
      now = guard.notBefore!;
    }
    expect(verdicts.filter((v) => v === "give_up")).toHaveLength(1);
    expect(verdicts.indexOf("give_up")).toBeLessThanOrEqual(MODEL_RETRY.maxAttempts - 1);
    expect(guard.gaveUp).toBe(true);
  });

  it("starts afresh after a run that went through, unless it already gave up", () => {
    const guard = new FailureGuard();
    guard.failed(0, 60_000);
    guard.cleared();
    expect(guard.notBefore).toBeNull();
    for (let i = 0; i < MODEL_RETRY.maxAttempts; i++) guard.failed(i * 100_000, 60_000);
    guard.cleared();
    expect(guard.gaveUp).toBe(true);
    expect(guard.notBefore).not.toBeNull();
  });
});
