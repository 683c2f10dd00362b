/** What went wrong — talking to Anthropic or Campfire, or inside the bot — in terms that decide what to do next. */
export type FailureKind =
  | "rate_limited"
  | "overloaded"
  | "unavailable"
  | "unreachable"
  | "timeout"
  | "turn_timeout"
  | "key_rejected"
  | "forbidden"
  | "not_found"
  | "bad_request"
  | "not_configured"
  /** A bug or a storage error in the bot itself, not a service's answer. */
  | "internal";

const RETRYABLE: ReadonlySet<FailureKind> = new Set([
  "rate_limited",
  "overloaded",
  "unavailable",
  "unreachable",
  "timeout",
  "internal",
]);

export class ServiceFailure extends Error {
  readonly retryable: boolean;

  constructor(
    readonly service: "anthropic" | "campfire" | "bot",
    readonly kind: FailureKind,
    message: string,
    readonly status?: number,
    /** How long the service asked us to wait (`retry-after`), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ServiceFailure";
    this.retryable = RETRYABLE.has(kind);
  }
}

/** Any error as a ServiceFailure: the clients throw only those, so anything else is the bot's own (retried, never blamed on a service). */
export function asFailure(error: unknown): ServiceFailure {
  return error instanceof ServiceFailure
    ? error
    : new ServiceFailure("bot", "internal", (error as Error)?.message ?? String(error));
}

/** Reads `retry-after` (seconds or an HTTP date) into milliseconds; absent or unreadable → undefined. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1_000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Classifies an HTTP status from either service. */
export function kindForStatus(status: number): FailureKind {
  if (status === 429) return "rate_limited";
  if (status === 529) return "overloaded";
  if (status === 401) return "key_rejected";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 408) return "timeout";
  if (status >= 500) return "unavailable";
  return "bad_request";
}

/** One sentence for the room: why the bot could not answer, without internals or secrets. */
export function explainToRoom(failure: ServiceFailure): string {
  if (failure.kind === "internal")
    return "I hit an internal error; an administrator can find the details in the Worker's logs.";
  if (failure.service === "campfire") return "I could not post my answer to this room.";
  switch (failure.kind) {
    case "rate_limited":
      return "Claude's rate limit for this bot was reached and did not clear in time.";
    case "overloaded":
      return "Claude is overloaded right now.";
    case "unavailable":
    case "unreachable":
    case "timeout":
      return "Claude's API could not be reached.";
    case "key_rejected":
      return "the Anthropic API key was rejected; an administrator needs to update ANTHROPIC_API_KEY.";
    case "forbidden":
      return "the Anthropic API key is not allowed to use this model.";
    case "not_found":
      return "the configured Claude model does not exist; an administrator needs to fix the bot's model setting.";
    case "turn_timeout":
      return "this question took longer than this bot may spend on one turn, so I stopped. Try asking for something smaller.";
    case "not_configured":
      return `the bot is not fully configured (${failure.message}).`;
    case "bad_request":
      return "Claude's API refused the request.";
  }
}

/** The failures the operator's console counts per hour, each a column of a conversation and its registry shard. */
export const FAILURE_TALLIES = ["rate_limited", "overloaded", "campfire", "internal", "refused", "other"] as const;
export type FailureTally = (typeof FAILURE_TALLIES)[number];
export type FailureCounts = Record<FailureTally, number>;

export const NO_FAILURES: Readonly<FailureCounts> = {
  rate_limited: 0,
  overloaded: 0,
  campfire: 0,
  internal: 0,
  refused: 0,
  other: 0,
};

export const addFailures = (a: FailureCounts, b: FailureCounts): FailureCounts =>
  Object.fromEntries(FAILURE_TALLIES.map((tally) => [tally, a[tally] + b[tally]])) as FailureCounts;

/** Which tally a failed attempt counts in: Campfire's failures as one (the answer could not be posted). */
export function tallyOf(failure: ServiceFailure): FailureTally {
  if (failure.service === "campfire") return "campfire";
  if (failure.kind === "rate_limited" || failure.kind === "internal") return failure.kind;
  if (failure.kind === "overloaded" || failure.kind === "unavailable") return "overloaded";
  return "other";
}
