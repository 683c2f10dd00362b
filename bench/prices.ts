/**
 * Published prices the cost figures use, with where and when they were read. Marginal prices: the monthly
 * allowances included in Workers Paid are ignored, as they are for the millionth message of a busy bot.
 */
export const PRICES_READ = "2026-11-25";

export const CLOUDFLARE = {
  source: "developers.cloudflare.com/workers/platform/pricing and /durable-objects/platform/pricing",
  workerRequest: 0.3 / 1e6,
  workerCpuMs: 0.02 / 1e6,
  doRequest: 0.15 / 1e6,
  /** Duration is billed on 128 MB for every active object, whatever it uses. */
  doGbSecond: 12.5 / 1e6,
  doMemoryGb: 0.128,
  rowRead: 0.001 / 1e6,
  rowWritten: 1.0 / 1e6,
  storageGbMonth: 0.2,
};

/** Claude Sonnet, per token, from anthropic.com/pricing; a 5-minute cache write is 1.25× input, a 1-hour one 2×, a read 0.1×. */
export const SONNET = {
  source: "anthropic.com/pricing (Claude Sonnet)",
  input: 3 / 1e6,
  output: 15 / 1e6,
  cacheWrite: 3.75 / 1e6,
  cacheWrite1h: 6 / 1e6,
  cacheRead: 0.3 / 1e6,
};

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  /** The writes by ttl, as the API reports them; without it every write is a 5-minute one. */
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

export function claudeCost(usage: Usage[]): number {
  return usage.reduce((sum, u) => {
    const hour = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
    const writes = (u.cache_creation_input_tokens - hour) * SONNET.cacheWrite + hour * SONNET.cacheWrite1h;
    return (
      sum +
      u.input_tokens * SONNET.input +
      u.output_tokens * SONNET.output +
      writes +
      u.cache_read_input_tokens * SONNET.cacheRead
    );
  }, 0);
}
