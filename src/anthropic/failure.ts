import { APIConnectionError, APIConnectionTimeoutError, APIError } from "@anthropic-ai/sdk";
import { kindForStatus, retryAfterMs, ServiceFailure } from "../failure";

/**
 * An error the Anthropic SDK threw, as a `ServiceFailure` the conversation can act on. `subject` names what was
 * asked, for the message: "Claude's API", "the Files API (download of file_…)".
 */
export function anthropicFailure(error: unknown, subject: string): ServiceFailure {
  if (error instanceof APIConnectionTimeoutError)
    return new ServiceFailure("anthropic", "timeout", `${subject} did not answer in time`);
  if (error instanceof APIConnectionError)
    return new ServiceFailure("anthropic", "unreachable", `${subject} could not be reached: ${error.message}`);
  if (error instanceof APIError) {
    const body = (error.error as { error?: { type?: string; details?: { error_code?: string } } } | undefined)?.error;
    const type = body?.type;
    // Overload comes as a 529, or as an `overloaded_error` event in the middle of a stream (no status).
    const kind =
      type === "overloaded_error"
        ? "overloaded"
        : error.status === undefined
          ? "unavailable"
          : kindForStatus(error.status);
    // The API's own code says which rule a 400 broke (e.g. compaction_signature_invalid): the conversation acts on it.
    const code = body?.details?.error_code;
    const what = [error.status, type, code && `(${code})`].filter(Boolean).join(" ");
    return new ServiceFailure(
      "anthropic",
      kind,
      `${subject} answered ${what || "with an error"}`,
      error.status,
      retryAfterMs(error.headers),
    );
  }
  return new ServiceFailure(
    "anthropic",
    "unavailable",
    `${subject} failed: ${(error as Error)?.message ?? String(error)}`,
  );
}
