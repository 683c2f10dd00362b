import type { BetaCompactionBlockParam } from "@anthropic-ai/sdk/resources/beta/messages/messages";
import type {
  ContainerParams,
  ContentBlock,
  MessageParam,
  TextBlockParam,
  ThinkingConfigParam,
  ToolUnion,
} from "@anthropic-ai/sdk/resources/messages";
import type { ProducedFile } from "../anthropic/files";
import type { TokenUsage } from "../usage";

/** What the API returned for a summary of dropped history: sent back unchanged, first in `messages`. */
export type CompactionBlock = BetaCompactionBlockParam;

/** The summary's place in a request: the message the API returned, in place of the messages it summarizes. */
export interface SummaryMessage {
  role: "assistant";
  content: [CompactionBlock];
}

export type RequestMessage = MessageParam | SummaryMessage;

export const isSummary = (message: RequestMessage): message is SummaryMessage =>
  Array.isArray(message.content) && message.content[0]?.type === "compaction";

/** What one model call is asked: the conversation's core builds it, whichever model answers. */
export interface ModelRequest {
  model: string;
  maxTokens: number;
  system: TextBlockParam[];
  messages: RequestMessage[];
  tools?: ToolUnion[];
  /** Remote MCP servers Claude reaches through Anthropic's MCP connector. */
  mcpServers?: { name: string; url: string; token?: string }[];
  thinking?: ThinkingConfigParam | null;
  /** 0–1; absent leaves the API's default (config refuses it together with thinking, as the API does). */
  temperature?: number;
  /** The code-execution container to reuse and the skills it loads. */
  container?: ContainerParams;
}

export interface AskOptions {
  /** Called with the whole text so far each time more streams in. */
  onText?: (snapshot: string) => void;
  /** Aborts the call; the failure then is a `turn_timeout`. */
  signal?: AbortSignal;
}

export type { TokenUsage } from "../usage";

export const NO_USAGE: Readonly<TokenUsage> = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

/** An optional count of either side, summed; left out when neither has it, so usage without it looks as before. */
const sumOf = (field: "cacheWrite1h" | "webSearches", a: TokenUsage, b: TokenUsage) =>
  a[field] === undefined && b[field] === undefined ? {} : { [field]: (a[field] ?? 0) + (b[field] ?? 0) };

export const addUsage = (a: TokenUsage, b: TokenUsage): TokenUsage => ({
  input: a.input + b.input,
  output: a.output + b.output,
  cacheRead: a.cacheRead + b.cacheRead,
  cacheWrite: a.cacheWrite + b.cacheWrite,
  ...sumOf("cacheWrite1h", a, b),
  ...sumOf("webSearches", a, b),
});

export interface ModelAnswer {
  text: string;
  stopReason: string | null;
  usage: TokenUsage;
  /** The answer's blocks, tool calls and thinking included, to send back exactly as they are with the tools' results. */
  content: ContentBlock[];
  /** The container code ran in, to reuse on the next turn; null when none. */
  containerId: string | null;
  /** Set when a fallback model answered because the one asked for failed: its model id, for the turn's log and counts. */
  fallbackModel?: string;
}

/** A summary the API made, and what making it used; a null block is a summary the API could not make. */
export interface CompactionAnswer {
  block: CompactionBlock | null;
  usage: TokenUsage;
}

/**
 * Whatever answers a turn: Claude, or the playground's offline stand-in. The edge chooses it and hands it in,
 * so the conversation never knows which one it talks to.
 */
export interface Model {
  ask(request: ModelRequest, options?: AskOptions): Promise<ModelAnswer>;
  /**
   * Summarizes `messages` (a summary first, if any, then whole exchanges) with these instructions, within
   * `maxTokens`; the same system prompt and tools as the turn's, so the turn reads them from the cache after it.
   */
  compact?(request: ModelRequest & { instructions: string }, options?: AskOptions): Promise<CompactionAnswer>;
  /** A file the model's code wrote, when this model can produce files. */
  fetchFile?(fileId: string, limitBytes: number): Promise<ProducedFile>;
}
