import { z } from "zod";

/** What Claude costs for one model, in US dollars per million tokens (web searches: per 1 000 searches). */
export interface Price {
  input: number;
  output: number;
  /** Writing the prompt cache with the default 5-minute lifetime (1.25× input), and with the 1-hour one (2×). */
  cacheWrite5m: number;
  cacheWrite1h: number;
  /** Reading from the prompt cache (0.1× input). */
  cacheRead: number;
  webSearchPer1000: number;
}

/** When the default table was read from Anthropic's pricing page. List prices: check them against your invoice. */
export const PRICES_READ = "2026-11-25";

const WEB_SEARCH_PER_1000 = 10;

/** A price from input and output alone, the cache at Anthropic's usual multiples of input. */
const listed = (
  input: number,
  output: number,
  cache: Partial<Pick<Price, "cacheWrite5m" | "cacheWrite1h" | "cacheRead">> = {},
): Price => ({
  input,
  output,
  cacheWrite5m: cache.cacheWrite5m ?? input * 1.25,
  cacheWrite1h: cache.cacheWrite1h ?? input * 2,
  cacheRead: cache.cacheRead ?? input * 0.1,
  webSearchPer1000: WEB_SEARCH_PER_1000,
});

/**
 * Anthropic's list prices (anthropic.com/pricing, read on PRICES_READ) for the current models, by model id. A model
 * missing here, or priced differently for you, goes in wrangler.toml's `[vars.PRICES."<model id>"]`.
 */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  "claude-sonnet-5-5": listed(2, 10),
  "claude-sonnet-5": listed(2, 10),
  "claude-opus-5-5": listed(4, 20, { cacheRead: 0.2 }),
  "claude-opus-5": listed(5, 25),
  "claude-haiku-4-5": listed(1, 5),
};

const perMillion = z.number().nonnegative("must be US dollars per million tokens, e.g. 3");

/** One model's price in `[vars.PRICES."<model id>"]`; the cache and web search default to Anthropic's usual rates. */
const priceEntrySchema = z.strictObject({
  input: perMillion,
  output: perMillion,
  cache_write_5m: perMillion.optional(),
  cache_write_1h: perMillion.optional(),
  cache_read: perMillion.optional(),
  web_search_per_1000: z.number().nonnegative("must be US dollars per 1 000 searches, e.g. 10").optional(),
});

/** The default table with `PRICES` laid over it (a TOML table, or JSON as the dashboard sets it); problems name the entry. */
export function readPrices(value: unknown, problems: string[]): Map<string, Price> {
  const prices = new Map(Object.entries(DEFAULT_PRICES));
  if (value === undefined || value === null || value === "") return prices;
  let table = value;
  if (typeof value === "string") {
    try {
      table = JSON.parse(value);
    } catch {
      problems.push('PRICES is a string but not JSON: define it as [vars.PRICES."<model id>"] tables in wrangler.toml');
      return prices;
    }
  }
  if (typeof table !== "object" || table === null || Array.isArray(table)) {
    problems.push(
      'PRICES must be a table of prices keyed by model id, e.g. [vars.PRICES."claude-sonnet-5-5"] input = 2, output = 10',
    );
    return prices;
  }
  for (const [model, entry] of Object.entries(table)) {
    const parsed = priceEntrySchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`PRICES.${model}${issue.path.length ? `.${issue.path.join(".")}` : ""}: ${issue.message}`);
      continue;
    }
    const { input, output, cache_write_5m, cache_write_1h, cache_read, web_search_per_1000 } = parsed.data;
    prices.set(model, {
      ...listed(input, output, { cacheWrite5m: cache_write_5m, cacheWrite1h: cache_write_1h, cacheRead: cache_read }),
      webSearchPer1000: web_search_per_1000 ?? WEB_SEARCH_PER_1000,
    });
  }
  return prices;
}

/**
 * Cloudflare's Workers Paid list prices (developers.cloudflare.com/durable-objects/platform/pricing, read on
 * 2026-12-01; bench/prices.ts uses the same) for the billable work the bot counts itself, in US dollars each: a
 * Durable Object request (an RPC call or an alarm run), a SQLite row read, a row written (an alarm set counts as
 * one). The plan's monthly allowances are not taken off, and neither Worker requests, CPU nor object duration are
 * counted, so this is the share of Cloudflare's bill that grows with each message, not the bill.
 */
export const CLOUDFLARE_PRICES = {
  read: "2026-12-01",
  doRequest: 0.15 / 1e6,
  rowRead: 0.001 / 1e6,
  rowWritten: 1.0 / 1e6,
} as const;
