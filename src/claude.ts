import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError } from "@anthropic-ai/sdk";
import type { MessageStream } from "@anthropic-ai/sdk/lib/MessageStream";
import type { ContentBlock, MessageParam, TextBlockParam, ToolUnion } from "@anthropic-ai/sdk/resources/messages";
import { kindForStatus, retryAfterMs, ServiceFailure } from "./failure";

export interface ClaudeRequest {
  model: string;
  maxTokens: number;
  system: TextBlockParam[];
  messages: MessageParam[];
  tools?: ToolUnion[];
  /** Remote MCP servers Claude reaches through Anthropic's MCP connector (a beta of the Messages API). */
  mcpServers?: { name: string; url: string; token?: string }[];
}

/** The MCP connector's beta flag; requests without MCP servers use the stable API. */
const MCP_BETA = "mcp-client-2025-11-20";

export interface AskOptions {
  /** Called with the whole text so far each time more streams in. */
  onText?: (snapshot: string) => void;
  /** Aborts the call; the failure then is a `turn_timeout`. */
  signal?: AbortSignal;
}

export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface ClaudeAnswer {
  text: string;
  stopReason: string | null;
  usage: TokenUsage;
  /** The answer's blocks, tool calls included, to send back with the tools' results. */
  content: ContentBlock[];
}

export interface ClaudeSettings {
  apiKey: string;
  baseUrl?: string;
}

/** How long one model call may take before it counts as a (retryable) timeout. */
const CALL_TIMEOUT_MS = 5 * 60_000;

/** Asks Claude through the SDK; failures come back as `ServiceFailure`s the conversation can act on. */
export class ClaudeClient {
  private readonly client: Anthropic;

  constructor(settings: ClaudeSettings) {
    this.client = new Anthropic({
      apiKey: settings.apiKey,
      baseURL: settings.baseUrl ?? "https://api.anthropic.com",
      // Retries go through the Durable Object's alarm, so nothing waits in memory between attempts.
      maxRetries: 0,
      timeout: CALL_TIMEOUT_MS,
    });
  }

  async ask(request: ClaudeRequest, options: AskOptions = {}): Promise<ClaudeAnswer> {
    try {
      const body = {
        model: request.model,
        max_tokens: request.maxTokens,
        system: request.system,
        messages: request.messages,
        ...(request.tools?.length ? { tools: request.tools } : {}),
      };
      const mcp = request.mcpServers ?? [];
      const stream: MessageStream = mcp.length
        ? (this.client.beta.messages.stream(
            {
              ...body,
              betas: [MCP_BETA],
              mcp_servers: mcp.map((server) => ({ type: "url", name: server.name, url: server.url, ...(server.token ? { authorization_token: server.token } : {}) })),
              tools: [...(request.tools ?? []), ...mcp.map((server) => ({ type: "mcp_toolset", mcp_server_name: server.name }))],
            } as Parameters<Anthropic["beta"]["messages"]["stream"]>[0],
            { signal: options.signal },
          ) as unknown as MessageStream)
        : this.client.messages.stream(body, { signal: options.signal });
      if (options.onText) stream.on("text", (_delta, snapshot) => options.onText!(snapshot));
      const message = await stream.finalMessage();
      const text = message.content
        .flatMap((block) => (block.type === "text" ? [block.text] : []))
        .join("")
        .trim();
      return {
        text,
        content: message.content,
        stopReason: message.stop_reason,
        usage: {
          input: message.usage.input_tokens,
          output: message.usage.output_tokens,
          cacheRead: message.usage.cache_read_input_tokens ?? 0,
          cacheWrite: message.usage.cache_creation_input_tokens ?? 0,
        },
      };
    } catch (error) {
      if (options.signal?.aborted) throw new ServiceFailure("anthropic", "turn_timeout", "the turn ran past its time limit");
      throw toFailure(error);
    }
  }
}

function toFailure(error: unknown): ServiceFailure {
  if (error instanceof APIConnectionTimeoutError) {
    return new ServiceFailure("anthropic", "timeout", "Claude did not answer in time");
  }
  if (error instanceof APIConnectionError) {
    return new ServiceFailure("anthropic", "unreachable", `Claude's API could not be reached: ${error.message}`);
  }
  if (error instanceof APIError) {
    const type = (error.error as { error?: { type?: string } } | undefined)?.error?.type;
    // Overload comes as a 529, or as an `overloaded_error` event in the middle of a stream (no status).
    const kind = type === "overloaded_error" ? "overloaded" : error.status === undefined ? "unavailable" : kindForStatus(error.status);
    const what = [error.status, type].filter(Boolean).join(" ");
    return new ServiceFailure("anthropic", kind, `Claude's API answered ${what || "with an error"}`, error.status, retryAfterMs(error.headers));
  }
  return new ServiceFailure("anthropic", "unavailable", `Claude's answer failed: ${(error as Error)?.message ?? String(error)}`);
}
