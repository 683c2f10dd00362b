import Anthropic from "@anthropic-ai/sdk";
import type { MessageStream } from "@anthropic-ai/sdk/lib/MessageStream";
import type { ContentBlock, Usage } from "@anthropic-ai/sdk/resources/messages";
import { containerIdOf } from "../anthropic/container";
import { anthropicFailure } from "../anthropic/failure";
import { fetchProducedFile, type ProducedFile } from "../anthropic/files";
import type { AskOptions, Model, ModelAnswer, ModelRequest, TokenUsage } from "../conversation/model";
import { ServiceFailure } from "../failure";
import { kept } from "../keep";

/** The MCP connector's beta flag; requests without MCP servers use the stable API. */
const MCP_BETA = "mcp-client-2025-11-20";

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

  fetchFile(fileId: string, limitBytes: number): Promise<ProducedFile> {
    return fetchProducedFile(this.sdk, fileId, limitBytes);
  }

  private stream(request: ModelRequest, signal: AbortSignal | undefined): MessageStream {
    const body = {
      model: request.model,
      max_tokens: request.maxTokens,
      system: request.system,
      messages: request.messages,
      ...(request.tools?.length ? { tools: request.tools } : {}),
      ...(request.thinking ? { thinking: request.thinking } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.container ? { container: request.container } : {}),
    };
    const mcp = request.mcpServers ?? [];
    if (mcp.length === 0) return this.sdk.messages.stream(body, { signal });
    return this.sdk.beta.messages.stream(
      {
        ...body,
        betas: [MCP_BETA],
        mcp_servers: mcp.map((server) => ({
          type: "url",
          name: server.name,
          url: server.url,
          ...(server.token ? { authorization_token: server.token } : {}),
        })),
        tools: [
          ...(request.tools ?? []),
          ...mcp.map((server) => ({ type: "mcp_toolset", mcp_server_name: server.name })),
        ],
      } as Parameters<Anthropic["beta"]["messages"]["stream"]>[0],
      { signal },
    ) as unknown as MessageStream;
  }
}

/** What a call used, as the core counts it; the 1-hour cache writes and web searches only when there were any. */
export function usageOf(usage: Usage): TokenUsage {
  const oneHour = usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const searches = usage.server_tool_use?.web_search_requests ?? 0;
  return {
    input: usage.input_tokens,
    output: usage.output_tokens,
    cacheRead: usage.cache_read_input_tokens ?? 0,
    cacheWrite: usage.cache_creation_input_tokens ?? 0,
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
