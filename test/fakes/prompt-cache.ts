import { createHash } from "node:crypto";

/**
 * Anthropic's prompt cache as its documentation describes it, on a clock the caller passes in: the prefix up to
 * each `cache_control` block (tools, then system, then messages) is an entry that lives 5 minutes or 1 hour (its
 * `ttl`) after it was written or last read; a request reads the longest live prefix that ends at one of its
 * breakpoints or at any of the 20 blocks before one; at most 4 breakpoints, no 1-hour one after a 5-minute one; a
 * prefix shorter than the minimum cacheable length is not cached. Billing follows the documented positions: reads
 * up to the longest hit (A), 1-hour writes up to the last 1-hour breakpoint after it (B), 5-minute writes up to the
 * last breakpoint (C), uncached input after it. A read keeps an entry alive for its own ttl: whether a 1-hour
 * breakpoint lengthens a 5-minute entry it hits is not documented, so this cache does not assume it.
 */
export type Ttl = "5m" | "1h";

export const TTL_MS: Readonly<Record<Ttl, number>> = { "5m": 5 * 60_000, "1h": 60 * 60_000 };

/** The minimum cacheable prompt length of Sonnet- and Opus-class models, in tokens. */
export const MIN_CACHEABLE_TOKENS = 1024;

/** One block of a request, in the cache's order: the prefix ending here (as a hash), its length, and its breakpoint. */
export interface Boundary {
  key: string;
  /** Tokens from the start of the request up to and including this block. */
  tokens: number;
  /** This block's breakpoint, if it has one. */
  ttl: Ttl | null;
  /** Re-pricing only (the API has no such thing): the breakpoint looks for a hit but writes nothing. */
  readOnly?: boolean;
}

export interface CacheUsage {
  input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

type Block = { type?: string; cache_control?: unknown; [key: string]: unknown };
interface CachedBody {
  tools?: Block[];
  system?: string | Block[];
  messages?: unknown;
}

/** The fake's token count of a block: a quarter of its JSON's length. */
export const blockTokens = (value: unknown) => Math.ceil(JSON.stringify(value).length / 4);

/**
 * The request's blocks as the cache sees them, or a problem the real API answers 400 for (a breakpoint that is not
 * `{ type: "ephemeral", ttl?: "5m" | "1h" }`, more than 4 of them, or a 1-hour one after a 5-minute one).
 */
export function boundaries(body: CachedBody): { boundaries: Boundary[] } | { problem: string } {
  const messages = (Array.isArray(body.messages) ? body.messages : []) as { role: string; content: string | Block[] }[];
  const parts: Block[] = [
    ...(body.tools ?? []),
    ...(typeof body.system === "string" ? [{ type: "text", text: body.system }] : (body.system ?? [])),
    ...messages.flatMap((message) =>
      typeof message.content === "string"
        ? [{ type: "text", text: message.content, role: message.role }]
        : message.content.map((block) => ({ ...block, role: message.role })),
    ),
  ];
  const hash = createHash("sha256");
  const result: Boundary[] = [];
  let total = 0;
  let fiveMinuteSeen = false;
  for (const part of parts) {
    const { cache_control, ...content } = part;
    let ttl: Ttl | null = null;
    if (cache_control !== undefined && cache_control !== null) {
      const control = cache_control as { type?: unknown; ttl?: unknown };
      if (control.type !== "ephemeral") return { problem: `cache_control.type: Input should be 'ephemeral'` };
      if (control.ttl !== undefined && control.ttl !== "5m" && control.ttl !== "1h")
        return { problem: `cache_control.ttl: Input should be '5m' or '1h'` };
      ttl = (control.ttl as Ttl | undefined) ?? "5m";
      if (ttl === "1h" && fiveMinuteSeen)
        return {
          problem:
            "a cache_control block with ttl='1h' cannot come after one with ttl='5m': put longer-lived breakpoints first",
        };
      if (ttl === "5m") fiveMinuteSeen = true;
    }
    hash.update(JSON.stringify(content));
    total += blockTokens(content);
    result.push({ key: hash.copy().digest("hex"), tokens: total, ttl });
  }
  const breakpoints = result.filter((boundary) => boundary.ttl !== null).length;
  if (breakpoints > 4)
    return { problem: `A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints}.` };
  return { boundaries: result };
}

/** The cache's entries; one per API key and model in the real service, one per fake here. */
export class PromptCache {
  private readonly entries = new Map<string, { ttl: Ttl; expiresAt: number }>();
  private readonly minTokens: number;

  constructor(minTokens = 0) {
    this.minTokens = minTokens;
  }

  clear(): void {
    this.entries.clear();
  }

  /** What a request with these blocks reads, writes and pays for at `now`. */
  account(blocks: Boundary[], now: number): CacheUsage {
    const live = (key: string) => {
      const entry = this.entries.get(key);
      if (entry && entry.expiresAt <= now) this.entries.delete(key);
      return entry && entry.expiresAt > now ? entry : undefined;
    };
    const total = blocks.at(-1)?.tokens ?? 0;
    const breakpoints = blocks
      .map((block, index) => ({ ...block, index }))
      .filter((block) => block.ttl !== null && block.tokens >= this.minTokens);
    let read = 0;
    const hits = new Set<string>();
    for (const breakpoint of breakpoints) {
      for (let back = breakpoint.index; back >= Math.max(0, breakpoint.index - 20); back--) {
        const entry = live(blocks[back]!.key);
        if (!entry) continue;
        hits.add(blocks[back]!.key);
        read = Math.max(read, blocks[back]!.tokens);
        break;
      }
    }
    for (const key of hits) {
      const entry = this.entries.get(key)!;
      entry.expiresAt = now + TTL_MS[entry.ttl];
    }
    const writing = breakpoints.filter((breakpoint) => !breakpoint.readOnly);
    if (writing.length === 0) return usage(total - read, read, 0, 0);
    const last = writing.at(-1)!.tokens;
    const lastHour = Math.max(read, ...writing.filter((b) => b.ttl === "1h").map((b) => b.tokens));
    for (const breakpoint of writing) {
      // A prefix inside the one read costs nothing more to keep; one beyond it is this request's write.
      if (!live(breakpoint.key))
        this.entries.set(breakpoint.key, { ttl: breakpoint.ttl!, expiresAt: now + TTL_MS[breakpoint.ttl!] });
    }
    const end = Math.max(read, last);
    return usage(total - end, read, Math.max(0, end - lastHour), lastHour - read);
  }
}

function usage(input: number, read: number, fiveMinutes: number, oneHour: number): CacheUsage {
  return {
    input_tokens: input,
    cache_read_input_tokens: read,
    cache_creation_input_tokens: fiveMinutes + oneHour,
    cache_creation: { ephemeral_5m_input_tokens: fiveMinutes, ephemeral_1h_input_tokens: oneHour },
  };
}
