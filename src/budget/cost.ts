import type { Price } from "../config/prices";

/** What a model call used, as far as it is billed (the conversation's token usage has this shape). */
export interface BilledUsage {
  input: number;
  output: number;
  cacheRead: number;
  /** All cache writes; `cacheWrite1h` of them at the 1-hour lifetime, the rest at the 5-minute one. */
  cacheWrite: number;
  cacheWrite1h?: number;
  webSearches?: number;
}

/** What `usage` costs at `price`, in US dollars. */
export function costOf(usage: BilledUsage, price: Price): number {
  const oneHour = usage.cacheWrite1h ?? 0;
  const perToken =
    usage.input * price.input +
    usage.output * price.output +
    usage.cacheRead * price.cacheRead +
    (usage.cacheWrite - oneHour) * price.cacheWrite5m +
    oneHour * price.cacheWrite1h;
  return perToken / 1_000_000 + ((usage.webSearches ?? 0) * price.webSearchPer1000) / 1_000;
}

/**
 * What a turn is reserved before it asks the model: its whole request as if none of it were cached yet (priced as a
 * 5-minute cache write, the dearest way a prompt is read) and an answer of the bot's whole `max_tokens`. A turn's
 * further tool rounds, searches and consultations are not in it: they are counted when the turn is settled.
 */
export function estimateOf(inputTokens: number, maxTokens: number, price: Price): number {
  return (inputTokens * price.cacheWrite5m + maxTokens * price.output) / 1_000_000;
}
