/** What a model call used, as Claude's API reports and bills it; a turn's and a conversation's totals have this shape. */
export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  /** Every token written to the prompt cache, whatever its lifetime. */
  cacheWrite: number;
  /** Of `cacheWrite`, those written with the 1-hour lifetime (billed at 2× input, not 1.25×); absent is none. */
  cacheWrite1h?: number;
  /** Anthropic's server-side web searches (billed per search); absent is none. */
  webSearches?: number;
}
