import type { AskOptions, Model, ModelAnswer, ModelRequest } from "../conversation/model";
import { asFailure, type FailureKind, type ServiceFailure } from "../failure";
import { log } from "../log";

/** Anthropic's trouble, which another model or endpoint may not share; ours (400, 401, 403, 404) it would only repeat. */
const FALLS_BACK: ReadonlySet<FailureKind> = new Set([
  "rate_limited",
  "overloaded",
  "unavailable",
  "unreachable",
  "timeout",
]);

/**
 * A bot's model, and the fallback that answers the same request when it fails on overload, rate limit or an outage
 * (the SDK makes one try per call: retries go through the conversation's alarm). Built for one turn: once the
 * primary failed, the turn's later calls go straight to the fallback. If the fallback fails too, the primary's
 * failure stands, so the turn is retried and explained as it would be without a fallback.
 */
export class FallbackModel implements Model {
  /** Set once the primary failed in this turn. */
  private primaryFailure: ServiceFailure | null = null;
  readonly fetchFile: Model["fetchFile"];
  readonly compact: Model["compact"];

  constructor(
    private readonly primary: Model,
    private readonly fallback: Model,
    private readonly settings: { botId: string; model: string },
  ) {
    // Files live where the code ran; a turn's files are fetched after it, through the bot's own endpoint and key.
    this.fetchFile = primary.fetchFile?.bind(primary);
    // A summary is written by the bot's own model; when it cannot, the turn goes on without a new one.
    this.compact = primary.compact?.bind(primary);
  }

  async ask(request: ModelRequest, options: AskOptions = {}): Promise<ModelAnswer> {
    if (!this.primaryFailure) {
      try {
        return await this.primary.ask(request, options);
      } catch (error) {
        const failure = asFailure(error);
        if (failure.service !== "anthropic" || !FALLS_BACK.has(failure.kind) || options.signal?.aborted) throw error;
        log("warn", "claude.fallback", {
          bot: this.settings.botId,
          kind: failure.kind,
          status: failure.status ?? null,
          fallback_model: this.settings.model,
        });
        this.primaryFailure = failure;
      }
    }
    try {
      const answer = await this.fallback.ask({ ...request, model: this.settings.model }, options);
      return { ...answer, fallbackModel: this.settings.model };
    } catch (error) {
      const failure = asFailure(error);
      if (failure.kind === "turn_timeout") throw error;
      log("error", "claude.fallback_failed", {
        bot: this.settings.botId,
        kind: failure.kind,
        status: failure.status ?? null,
        fallback_model: this.settings.model,
      });
      throw this.primaryFailure;
    }
  }
}
