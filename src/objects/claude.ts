import Anthropic from "@anthropic-ai/sdk";
import type { MessageStream } from "@anthropic-ai/sdk/lib/MessageStream";
import type { BetaCompactionBlock, BetaUsage } from "@anthropic-ai/sdk/resources/beta/messages/messages";
import type { ContentBlock, Usage } from "@anthropic-ai/sdk/resources/messages";
import { containerIdOf } from "../anthropic/container";
import { anthropicFailure } from "../anthropic/failure";
import { fetchProducedFile, type ProducedFile } from "../anthropic/files";
import {
  type AskOptions,
  type CompactionAnswer,
  type CompactionBlock,
  isSummary,
  type Model,
  type ModelAnswer,
  type ModelRequest,
  type TokenUsage,
} from "../conversation/model";
import { ServiceFailure } from "../failure";
import { kept } from "../keep";

/** The MCP connector's beta flag; requests without MCP servers use the stable API. */
const MCP_BETA = "mcp-client-2025-11-20";
/** On-demand compaction's beta flag: for the request that makes a summary, and every request that sends one back. */
const COMPACTION_BETA = "compact-2026-09-04";

type BetaParams = Parameters<Anthropic["beta"]["messages"]["create"]>[0];
type StableParams = Parameters<Anthropic["messages"]["stream"]>[0];

/** How long one model call may take before it counts as a (retryable) timeout. */
const CALL_TIMEOUT_MS = 5 * 60_000;

export interface ClaudeSettings {
  apiKey: string;
  baseUrl?: string;
}

/** Asks Claude through the SDK; failures come back as `ServiceFailure`s the conversation can act on. */
export class ClaudeClient implements Model {
  readonly sdk: Anthropic;

  constructor(settings: ClaudeSettings) {
    this.sdk = new Anthropic({
      apiKey: settings.apiKey,
      baseURL: settings.baseUrl ?? "https://api.anthropic.com",
      // Retries go through the Durable Object's alarm, so nothing waits in memory between attempts.
      maxRetries: 0,
      timeout: CALL_TIMEOUT_MS,
      // No tracer is registered in a Worker: the spans would be no-ops that still cost CPU on every call.
      openTelemetry: false,
    });
  }

  async ask(request: ModelRequest, options: AskOptions = {}): Promise<ModelAnswer> {
    try {
      const stream = this.stream(request, options.signal);
      // The SDK's own snapshot is the current text block only: the answer so far is every block's text.
      if (options.onText) stream.on("text", () => options.onText!(answerText(stream.currentMessage?.content ?? [])));
      const message = await stream.finalMessage();
      return {
        text: answerText(message.content),
        content: message.content,
        containerId: containerIdOf(message),
        stopReason: message.stop_reason,
        usage: usageOf(message.usage),
      };
    } catch (error) {
      if (options.signal?.aborted)
        throw new ServiceFailure("anthropic", "turn_timeout", "the turn ran past its time limit");
      throw anthropicFailure(error, "Claude's API");
    }
  }

  /** Asks the API for a summary of `request.messages`: one call, not streamed, nothing sampled after the summary. */
  async compact(request: ModelRequest & { instructions: string }, options: AskOptions = {}): Promise<CompactionAnswer> {
    try {
      const { body, betas } = this.params(request);
      const message = await this.sdk.beta.messages.create(
        {
          ...body,
          compaction: { type: "summarize", instructions: request.instructions },
          betas: [...betas, COMPACTION_BETA],
          stream: false,
        } as BetaParams & { stream: false },
        { signal: options.signal },
      );
      const block = message.content.find((part): part is BetaCompactionBlock => part.type === "compaction");
      return { block: block ? compactionParam(block) : null, usage: usageOf(message.usage) };
    } catch (error) {
      if (options.signal?.aborted)
        throw new ServiceFailure("anthropic", "turn_timeout", "the turn ran past its time limit");
      throw anthropicFailure(error, "Claude's API (a summary of the history)");
    }
  }

  fetchFile(fileId: string, limitBytes: number): Promise<ProducedFile> {
    return fetchProducedFile(this.sdk, fileId, limitBytes);
  }

  private stream(request: ModelRequest, signal: AbortSignal | undefined): MessageStream {
    const { body, betas } = this.params(request);
    // Without MCP servers or a summary the body holds nothing beyond the stable API's.
    if (betas.length === 0) return this.sdk.messages.stream(body as StableParams, { signal });
    return this.sdk.beta.messages.stream({ ...body, betas } as BetaParams, { signal }) as unknown as MessageStream;
  }

  /** The request's body, and the betas it needs: MCP servers, and a summary sent back. */
  private params(request: ModelRequest) {
    const mcp = request.mcpServers ?? [];
    const tools = [
      ...(request.tools ?? []),
      ...mcp.map((server) => ({ type: "mcp_toolset", mcp_server_name: server.name })),
    ];
    const body = {
      model: request.model,
      max_tokens: request.maxTokens,
      system: request.system,
      messages: request.messages,
      ...(tools.length ? { tools } : {}),
      ...(request.thinking ? { thinking: request.thinking } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.container ? { container: request.container } : {}),
      ...(mcp.length
        ? {
            mcp_servers: mcp.map((server) => ({
              type: "url",
              name: server.name,
              url: server.url,
              ...(server.token ? { authorization_token: server.token } : {}),
            })),
          }
        : {}),
    };
    const betas = [...(mcp.length ? [MCP_BETA] : []), ...(request.messages.some(isSummary) ? [COMPACTION_BETA] : [])];
    return { body, betas };
  }
}

/**
 * A returned summary as the block later requests send back: verbatim, every field as the API returned it (its
 * signature covers them); its `tool_changes` entries are the request-side blocks of the same shape.
 */
const compactionParam = (block: BetaCompactionBlock): CompactionBlock => ({ ...block }) as CompactionBlock;

/**
 * What a call used, as the core counts it; the 1-hour cache writes and web searches only when there were any. A
 * summary's own tokens are reported as a `compaction` iteration, apart from the top-level fields: both are billed.
 */
export function usageOf(usage: Usage | BetaUsage): TokenUsage {
  const parts = [
    usage,
    ...("iterations" in usage ? (usage.iterations ?? []).filter((part) => part.type === "compaction") : []),
  ];
  const sum = (count: (part: (typeof parts)[number]) => number | null | undefined) =>
    parts.reduce((total, part) => total + (count(part) ?? 0), 0);
  const oneHour = sum((part) => part.cache_creation?.ephemeral_1h_input_tokens);
  const searches = usage.server_tool_use?.web_search_requests ?? 0;
  return {
    input: sum((part) => part.input_tokens),
    output: sum((part) => part.output_tokens),
    cacheRead: sum((part) => part.cache_read_input_tokens),
    cacheWrite: sum((part) => part.cache_creation_input_tokens),
    ...(oneHour ? { cacheWrite1h: oneHour } : {}),
    ...(searches ? { webSearches: searches } : {}),
  };
}

/**
 * An answer's words. Adjacent text blocks are one run of text (a cited passage is a block of its own, mid-sentence);
 * text on either side of anything else — code execution, a search, a tool call — is a paragraph of its own.
 */
export function answerText(content: readonly ContentBlock[]): string {
  const runs = [""];
  for (const block of content) {
    if (block.type === "text") runs[runs.length - 1] += block.text;
    else if (runs.at(-1)) runs.push("");
  }
  return runs
    .map((run) => run.trim())
    .filter(Boolean)
    .join("\n\n");
}

/** One client per key and endpoint for the isolate's life: building the SDK client per turn costs CPU and memory. */
const clients = new Map<string, ClaudeClient>();
export function claudeClient(settings: ClaudeSettings): ClaudeClient {
  const id = `${settings.baseUrl ?? ""}\n${settings.apiKey}`;
  return kept(clients, id, () => new ClaudeClient(settings));
}
