import { describe, expect, it } from "vitest";
import {
  afterEscapedError,
  answerRetriesOver,
  decideRetry,
  deliveryRetry,
  ESCAPED_ERROR_RETRIES,
  fileFetchRetry,
  MODEL_RETRY,
  retryAfterFailure,
} from "../../src/conversation/retry";

const middle = () => 0.5;
const MINUTE = 60_000;

describe("decideRetry", () => {
  it("backs off exponentially from the first delay", () => {
    const delays = [1, 2, 3, 4].map(
      (attempts) => (decideRetry(MODEL_RETRY, attempts, 0, 0, undefined, middle) as { retryAt: number }).retryAt,
    );
    expect(delays).toEqual([2_000, 4_000, 8_000, 16_000]);
  });

  it("spreads retries by at most 20% either way", () => {
    expect(decideRetry(MODEL_RETRY, 1, 0, 0, undefined, () => 0)).toEqual({ retryAt: 1_600 });
    expect(decideRetry(MODEL_RETRY, 1, 0, 0, undefined, () => 0.999_999)).toEqual({ retryAt: 2_400 });
  });

  it("waits at least as long as retry-after asks", () => {
    expect(decideRetry(MODEL_RETRY, 1, 0, 0, 30_000, middle)).toEqual({ retryAt: 30_000 });
  });

  it("never schedules past the window, so the last attempt lands at its end", () => {
    const now = MODEL_RETRY.windowMs - 5_000;
    expect(decideRetry(MODEL_RETRY, 2, 0, now, 60_000, middle)).toEqual({ retryAt: MODEL_RETRY.windowMs });
  });

  it("never retries at once, even a moment before the window closes or when retry-after says 0", () => {
    const now = MODEL_RETRY.windowMs - 1;
    expect((decideRetry(MODEL_RETRY, 2, 0, now, 0, () => 0) as { retryAt: number }).retryAt).toBeGreaterThanOrEqual(
      now + 1_000,
    );
  });

  it("gives up after the last attempt or once the window has passed", () => {
    expect(decideRetry(MODEL_RETRY, MODEL_RETRY.maxAttempts, 0, 0, undefined, middle)).toEqual({ giveUp: true });
    expect(decideRetry(MODEL_RETRY, 1, 0, MODEL_RETRY.windowMs, undefined, middle)).toEqual({ giveUp: true });
  });
});

describe("delivery retries", () => {
  it("keep an answer through at least 30 minutes of Campfire outage, whatever the TTL", () => {
    for (const ttl of [2_000, 5 * MINUTE, 24 * 60 * MINUTE]) {
      const policy = deliveryRetry(ttl);
      let now = 0;
      let attempts = 0;
      for (;;) {
        const decision = decideRetry(policy, ++attempts, 0, now, undefined, middle);
        if (!("retryAt" in decision)) break;
        now = decision.retryAt;
      }
      expect(now).toBeGreaterThanOrEqual(30 * MINUTE);
      // Capped back-off: never more than five minutes between tries.
      expect(attempts).toBeGreaterThan(8);
    }
  });

  it("last as long as a longer TTL, up to a day", () => {
    expect(deliveryRetry(6 * 60 * MINUTE).windowMs).toBe(6 * 60 * MINUTE);
    expect(deliveryRetry(7 * 24 * 60 * MINUTE).windowMs).toBe(24 * 60 * MINUTE);
  });

  it("and an answering failure gives up within minutes, with one apology", () => {
    const failure = { retryable: true };
    expect(retryAfterFailure("answer", failure, { attempts: 0, since: null }, MINUTE, 0)).toMatchObject({
      attempts: 1,
      since: 0,
    });
    expect(retryAfterFailure("answer", failure, { attempts: 2, since: 0 }, MINUTE, 4 * MINUTE)).toMatchObject({
      giveUp: true,
    });
    expect(retryAfterFailure("deliver", failure, { attempts: 2, since: 0 }, MINUTE, 4 * MINUTE)).toHaveProperty(
      "retryAt",
    );
    expect(retryAfterFailure("deliver", { retryable: false }, { attempts: 0, since: null }, MINUTE, 0)).toMatchObject({
      giveUp: true,
    });
  });
});

describe("when storage refuses even recording a failure", () => {
  it.each([
    [0, "retry"],
    [1, "retry"],
    [ESCAPED_ERROR_RETRIES - 1, "retry"],
    [ESCAPED_ERROR_RETRIES, "give_up"],
    // Cloudflare retries a throwing alarm at most six times: the give-up run comes before the runtime stops.
    [6, "give_up"],
  ] as const)("the runtime's retry %i: %s", (retryCount, expected) => {
    expect(afterEscapedError(retryCount)).toBe(expected);
    expect(ESCAPED_ERROR_RETRIES).toBeLessThan(6);
  });

  it.each([
    [0, false],
    [MODEL_RETRY.maxAttempts - 1, false],
    [MODEL_RETRY.maxAttempts, true],
    [MODEL_RETRY.maxAttempts + 3, true],
  ])("after %i recorded tries, asking the model again is over: %s", (attempts, over) => {
    expect(answerRetriesOver({ attempts })).toBe(over);
  });
});

const SECOND = 1_000;

describe("fetching a file from Anthropic", () => {
  type Row = [
    string,
    { retryable: boolean; retryAfterMs?: number },
    { attempts: number; since: number | null },
    number,
    boolean,
    { retryBetween: [number, number] } | "give up",
  ];
  it.each<Row>([
    [
      "a first 5xx: tried again within seconds",
      { retryable: true },
      { attempts: 0, since: null },
      0,
      false,
      { retryBetween: [1.6 * SECOND, 2.4 * SECOND] },
    ],
    [
      "still failing a minute in: tried again at most 15 s later",
      { retryable: true },
      { attempts: 6, since: 0 },
      MINUTE,
      false,
      { retryBetween: [MINUTE + 12 * SECOND, MINUTE + 18 * SECOND] },
    ],
    [
      "retry-after is honoured, but never past the two minutes",
      { retryable: true, retryAfterMs: MINUTE },
      { attempts: 7, since: 0 },
      100 * SECOND,
      false,
      { retryBetween: [2 * MINUTE, 2 * MINUTE] },
    ],
    [
      "two minutes after the first failure: given up, its note goes in its place",
      { retryable: true },
      { attempts: 9, since: 0 },
      2 * MINUTE,
      false,
      "give up",
    ],
    [
      "a file the Files API no longer has (404): its note at once",
      { retryable: false },
      { attempts: 0, since: null },
      0,
      false,
      "give up",
    ],
    [
      "messages wait behind the answer: a first failure still gets one retry",
      { retryable: true },
      { attempts: 0, since: null },
      0,
      true,
      { retryBetween: [1.6 * SECOND, 2.4 * SECOND] },
    ],
    [
      "messages wait behind the answer: the second failure gives the file up",
      { retryable: true },
      { attempts: 1, since: 0 },
      2 * SECOND,
      true,
      "give up",
    ],
    [
      "a message arrives behind a file failing for a while: given up at its next try",
      { retryable: true },
      { attempts: 4, since: 0 },
      30 * SECOND,
      true,
      "give up",
    ],
  ])("%s", (_, failure, retry, now, laterMessages, expected) => {
    const decision = retryAfterFailure("fetch_file", failure, retry, 24 * 60 * MINUTE, now, laterMessages);
    expect(decision).toMatchObject({ attempts: retry.attempts + 1, since: retry.since ?? now });
    if (expected === "give up") return void expect(decision).toHaveProperty("giveUp", true);
    const { retryAt } = decision as { retryAt: number };
    expect(retryAt).toBeGreaterThanOrEqual(expected.retryBetween[0]);
    expect(retryAt).toBeLessThanOrEqual(expected.retryBetween[1]);
  });

  it("ends after about two minutes of tries, where a Campfire failure would keep going", () => {
    let now = 0;
    let attempts = 0;
    for (;;) {
      const decision = decideRetry(fileFetchRetry(false), ++attempts, 0, now, undefined, middle);
      if (!("retryAt" in decision)) break;
      now = decision.retryAt;
    }
    // The last try lands at the end of the two minutes (or the shortest delay past it).
    expect(now).toBeGreaterThanOrEqual(2 * MINUTE);
    expect(now).toBeLessThanOrEqual(2 * MINUTE + 2 * SECOND);
    expect(attempts).toBeLessThanOrEqual(14);
    expect(
      retryAfterFailure("deliver", { retryable: true }, { attempts: 9, since: 0 }, MINUTE, 2 * MINUTE),
    ).toHaveProperty("retryAt");
  });
});
