import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { shownMessages } from "../shown-messages.ts";
import { codeExecutionProblem, containerFor, type FileRequest, fakeFiles } from "./anthropic-files.ts";
import { json, listen, sleep } from "./http.ts";
import { type Boundary, blockTokens, boundaries, type CacheUsage, PromptCache } from "./prompt-cache.ts";

/** What the fake recorded of one request; the key itself is never kept. */
export interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  body: unknown;
  at: number;
  /** How long the fake took to answer, delays included: the "model time" benchmarks subtract. */
  ms?: number;
  usage?: Usage;
}

/** A request as the prompt cache saw it: its blocks, when (on the fake's clock), and what it was billed. */
export interface CachedRequest {
  at: number;
  blocks: Boundary[];
  usage: Usage;
}

export interface Usage extends CacheUsage {
  output_tokens: number;
}

export interface FakeAnthropicOptions {
  port?: number;
  /** The prompt cache's clock (the room-day bench runs a virtual one); wall time otherwise. */
  now?: () => number;
  /** The minimum cacheable prompt length; the tests' prompts are a few hundred tokens, so 0 unless asked. */
  minCacheTokens?: number;
  /**
   * An answer instead of the echo, for a turn whose text carries no directive: its text, and a tool to call first
   * (`roundsDone` is how many tool rounds of this turn are done).
   */
  answer?: (turn: {
    text: string;
    roundsDone: number;
  }) => { text: string; tool?: { name: string; input: unknown } } | undefined;
}

export interface FakeAnthropic {
  url: string;
  requests: RecordedRequest[];
  usageLog: Usage[];
  /** Every answered request as the cache saw it, to re-price the same requests under another caching choice. */
  cacheLog: CachedRequest[];
  /** Calls to the Files API (metadata and downloads), apart from `requests` so those stay Messages calls only. */
  fileRequests: FileRequest[];
  reset(): void;
  close(): Promise<void>;
}

type Block = { type: string; text?: string; cache_control?: unknown; [key: string]: unknown };
type Message = { role: string; content: string | Block[] };
interface MessagesBody {
  model?: unknown;
  max_tokens?: unknown;
  messages?: unknown;
  system?: string | Block[];
  tools?: Block[];
  stream?: boolean;
  thinking?: { type?: string; budget_tokens?: number };
  temperature?: unknown;
  container?: unknown;
  compaction?: { type?: unknown; instructions?: unknown } | null;
  context_management?: unknown;
}

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

/**
 * `[fake:key=value,…]` in the turn's own message scripts how the fake answers it. Keys: `status` (answer with that
 * error), `times` (only the first N requests carrying this exact directive fail), `model` (only requests for that
 * model fail, as when one model is overloaded and another is not: a bot's fallback), `retryAfter` (seconds),
 * `delay` (ms before answering), `chunks` and `chunkDelay` (how the text streams), `reply` (URL-encoded text
 * instead of the echo), `hang` (never answer), `tool` + `input` (URL-encoded JSON) + `rounds` (call a tool that
 * many rounds, then report the results; with `follow`, each round after the first calls it with the input the
 * previous result asks for — "call again with {…}" — and stops when one asks for none, then reports every round's
 * results, as a model reading a long span piece by piece), `file` (answer like a code-execution turn that wrote a file of that
 * name, served by the fake Files API; the request must enable the code-execution tool), `huge` (that file's
 * metadata claims 26 MB), `fileStatus` (the Files API answers that status for the file: forever, or for its first
 * `fileTimes` calls; only for its downloads with `fileStep=download`), `compactStatus` (a summary of a conversation
 * holding the directive fails with that status), and `id` (to keep a directive unique).
 */
const DIRECTIVE = /\[fake:([^\]]*)\]/;

const tokens = blockTokens;

/**
 * A fake Anthropic Messages API on loopback: validates requests like the real one, echoes the last user
 * message (so tests can see what the model was given), streams SSE, injects errors and latency on request,
 * and accounts the prompt cache as the real one does (./prompt-cache.ts).
 */
export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
  const usageLog: Usage[] = [];
  const cacheLog: CachedRequest[] = [];
  const directiveUses = new Map<string, number>();
  const cache = new PromptCache(options.minCacheTokens ?? 0);
  const now = options.now ?? Date.now;
  /** Thinking blocks this fake signed, as "signature\nthinking". */
  const signatures = new Set<string>();
  const files = fakeFiles();
  let serial = 0;

  const fake = {
    url: "",
    requests,
    usageLog,
    cacheLog,
    fileRequests: files.requests,
    reset() {
      files.reset();
      requests.length = 0;
      usageLog.length = 0;
      cacheLog.length = 0;
      directiveUses.clear();
      cache.clear();
    },
    close: async () => {},
  };

  const handle = async (request: IncomingMessage, raw: Buffer, response: ServerResponse) => {
    const path = new URL(request.url ?? "/", "http://fake").pathname;
    if (path === "/_fake/requests") return json(response, 200, requests);
    if (path === "/_fake/usage") return json(response, 200, usageLog);
    if (path === "/_fake/file-requests") return json(response, 200, files.requests);
    if (path.startsWith("/v1/files/")) {
      if (!/^Bearer\s+\S+/.test(request.headers.authorization ?? "") && !request.headers["x-api-key"])
        return error(response, 401, "missing authentication: send Authorization: Bearer <key> or x-api-key");
      if (files.handle(request.method ?? "GET", path, response, (status, message) => error(response, status, message)))
        return;
    }
    if (path === "/_fake/reset" && request.method === "POST") {
      fake.reset();
      return json(response, 200, { ok: true });
    }
    if (path !== "/v1/messages" || request.method !== "POST")
      return error(response, 404, `no route for ${request.method} ${path}`);

    let body: MessagesBody;
    try {
      body = JSON.parse(raw.toString("utf8")) as MessagesBody;
    } catch {
      return error(response, 400, "request body is not valid JSON");
    }
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    const bearer = /^Bearer\s+\S+/.test(headers.authorization ?? "");
    if (headers.authorization) headers.authorization = bearer ? "Bearer [redacted]" : "[redacted]";
    if (headers["x-api-key"]) headers["x-api-key"] = "[redacted]";
    const record: RecordedRequest = { path, headers, body, at: Date.now() };
    requests.push(record);

    if (!bearer && !headers["x-api-key"])
      return error(response, 401, "missing authentication: send Authorization: Bearer <key> or x-api-key");
    if (!headers["anthropic-version"]) return error(response, 400, "anthropic-version: header is required");
    const invalid = validate(body);
    if (invalid) return error(response, 400, invalid);
    const betas = new Set((headers["anthropic-beta"] ?? "").split(",").map((beta) => beta.trim()));
    const compacting = compactionProblem(body, betas);
    if (compacting) return error(response, 400, compacting.message, {}, compacting.code);
    const cached = boundaries(body);
    if ("problem" in cached) return error(response, 400, cached.problem);
    const messages = body.messages as Message[];
    if (body.compaction) {
      const failing = messages
        .flatMap(blocksOf)
        .map((block) => parseDirective(DIRECTIVE.exec(block.text ?? "")?.[1] ?? "").compactStatus)
        .find(Boolean);
      if (failing) return error(response, Number(failing), `scripted ${failing}`);
      // On demand: the conversation sent is summarized, and the response is the summary alone.
      const block = compactionBlock(messages, Number(body.max_tokens));
      const at = now();
      const billed = { ...cache.account(cached.boundaries, at), output_tokens: tokens(block.content) };
      usageLog.push(billed);
      cacheLog.push({ at, blocks: cached.boundaries, usage: billed });
      record.usage = billed;
      response.on("finish", () => (record.ms = Date.now() - record.at));
      const message = {
        id: `msg_fake_${++serial}`,
        type: "message",
        role: "assistant",
        model: body.model,
        container: null,
        content: [block],
        stop_reason: "compaction",
        stop_sequence: null,
        // As documented: a compaction's own tokens are a `compaction` iteration, not in the top-level fields.
        usage: { ...NOTHING_SAMPLED, iterations: [{ type: "compaction", ...billed }] },
      };
      if (!body.stream) return json(response, 200, message, { "request-id": `req_fake_${serial}` });
      return stream(response, message, 0, 1);
    }
    const thinkingProblem = body.thinking ? unsignedThinking(messages, signatures) : null;
    if (thinkingProblem) return error(response, 400, thinkingProblem);

    // The turn's own message is the last user message with words; later ones only carry tool results.
    const turnIndex = messages.findLastIndex((message) => message.role === "user" && textOf(message) !== "");
    const lastUser = textOf(messages[turnIndex]!);
    const directive = DIRECTIVE.exec(lastUser);
    const script = directive ? parseDirective(directive[1]!) : {};
    if (script.hang) return; // Never answers: the client's own timeout must act.
    if (script.delay) await sleep(Number(script.delay));
    if (script.status && (!script.model || script.model === body.model)) {
      const uses = (directiveUses.get(directive![0]) ?? 0) + 1;
      directiveUses.set(directive![0], uses);
      if (!script.times || uses <= Number(script.times)) {
        const retryHeader: Record<string, string> =
          script.retryAfter !== undefined ? { "retry-after": script.retryAfter } : {};
        return error(response, Number(script.status), `scripted ${script.status}`, retryHeader);
      }
    }

    const id = `msg_fake_${++serial}`;
    // Tool rounds already done in this turn: each left a user message of tool results after the turn's own.
    const roundsDone =
      messages.length - 1 - turnIndex - messages.slice(turnIndex + 1).filter((m) => m.role === "assistant").length;
    let content: Block[];
    let stopReason = "end_turn";
    if (script.file) {
      const problem = codeExecutionProblem(body.tools, body.container);
      if (problem) return error(response, 400, problem);
      const outage = script.fileStatus
        ? {
            status: Number(script.fileStatus),
            times: script.fileTimes ? Number(script.fileTimes) : undefined,
            downloadsOnly: script.fileStep === "download",
          }
        : null;
      content = files.codeExecutionTurn(script.file, Boolean(script.huge), serial, outage);
    } else if (
      script.tool &&
      roundsDone < Number(script.rounds ?? 1) &&
      (!script.follow || roundsDone === 0 || askedAgain(messages) !== null)
    ) {
      const first = script.input ? (JSON.parse(decodeURIComponent(script.input)) as unknown) : {};
      const input = script.follow && roundsDone > 0 ? askedAgain(messages) : first;
      content = [
        { type: "text", text: `Using ${script.tool}.` },
        { type: "tool_use", id: `toolu_fake_${serial}`, name: script.tool, input },
      ];
      stopReason = "tool_use";
    } else if (script.tool) {
      const rounds = script.follow
        ? messages.slice(turnIndex + 1).filter((m) => m.role === "user")
        : messages.slice(-1);
      const results = rounds.flatMap((m) => (m.content as Block[]).filter((block) => block.type === "tool_result"));
      content = [
        {
          type: "text",
          text: `Tool results: ${JSON.stringify(results.map((r) => ({ content: r.content, is_error: r.is_error ?? false })))}${cited(results)}`,
        },
      ];
    } else {
      const scripted = directive ? undefined : options.answer?.({ text: lastUser, roundsDone });
      if (scripted?.tool) {
        content = [
          { type: "text", text: scripted.text },
          { type: "tool_use", id: `toolu_fake_${serial}`, name: scripted.tool.name, input: scripted.tool.input },
        ];
        stopReason = "tool_use";
      } else {
        content = [
          {
            type: "text",
            text:
              scripted?.text ??
              (script.reply !== undefined
                ? decodeURIComponent(script.reply)
                : echo(messages, lastUser.replace(DIRECTIVE, "").trim())),
          },
        ];
      }
    }
    if (body.thinking && body.thinking.type !== "disabled") {
      // As the real API: thinking comes first, signed; a tool loop must send it back unchanged.
      const thinking = `Thinking about request ${serial} before answering.`;
      const signature = `sig_fake_${createHash("sha256").update(thinking).digest("hex").slice(0, 24)}`;
      signatures.add(`${signature}\n${thinking}`);
      content = [{ type: "thinking", thinking, signature }, ...content];
    }
    const at = now();
    const usage = { ...cache.account(cached.boundaries, at), output_tokens: tokens(content) };
    usageLog.push(usage);
    cacheLog.push({ at, blocks: cached.boundaries, usage });
    record.usage = usage;
    response.on("finish", () => (record.ms = Date.now() - record.at));
    // As the real API: a container is reported once code ran in one, or the request named one.
    const container = script.file || body.container ? containerFor(body.container, serial) : null;
    const message = {
      id,
      type: "message",
      role: "assistant",
      model: body.model,
      container,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage,
    };
    if (!body.stream) return json(response, 200, message, { "request-id": `req_fake_${serial}` });
    await stream(response, message, Number(script.chunkDelay ?? 0), Number(script.chunks ?? 4));
  };

  const server = await listen(handle, options.port);
  fake.url = server.url;
  fake.close = server.close;
  return fake;
}

function validate(body: MessagesBody): string | null {
  if (typeof body.model !== "string" || !body.model) return "model: Field required";
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1)
    return "max_tokens: must be a positive integer";
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "messages: at least one message is required";
  const messages = body.messages as Message[];
  // A conversation may start with the summary the API returned, in the assistant message it came in.
  if (messages[0]!.role !== "user" && blocksOf(messages[0]!)[0]?.type !== "compaction")
    return 'messages: first message must use the "user" role';
  for (const [index, message] of messages.entries()) {
    if (message.role !== "user" && message.role !== "assistant")
      return `messages.${index}.role: must be "user" or "assistant"`;
    const blocks = typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
    if (!Array.isArray(blocks)) return `messages.${index}.content: must be a string or a list of blocks`;
    for (const block of blocks) {
      if (block.type === "text" && !block.text) return `messages.${index}: text content blocks must be non-empty`;
    }
  }
  if (body.temperature !== undefined) {
    if (typeof body.temperature !== "number") return "temperature: Input should be a valid number";
    if (body.temperature < 0) return "temperature: Input should be greater than or equal to 0";
    if (body.temperature > 1) return "temperature: Input should be less than or equal to 1";
    // As the real API: extended thinking takes no temperature but its own, 1.
    if (body.thinking && body.thinking.type !== "disabled" && body.temperature !== 1)
      return "`temperature` may only be set to 1 when thinking is enabled or in adaptive mode.";
  }
  const system = typeof body.system === "string" ? [] : (body.system ?? []);
  if (system.some((block) => block.type === "text" && !block.text))
    return "system: text content blocks must be non-empty";
  return null;
}

/**
 * With thinking on, each assistant message of the current tool loop (after the last user message with words) must
 * start with a thinking block exactly as this fake signed it, as the real API requires.
 */
function unsignedThinking(messages: Message[], signatures: Set<string>): string | null {
  const turnIndex = messages.findLastIndex((message) => message.role === "user" && textOf(message) !== "");
  for (let index = turnIndex + 1; index < messages.length; index++) {
    const message = messages[index]!;
    if (message.role !== "assistant") continue;
    const first = typeof message.content === "string" ? undefined : message.content[0];
    if (first?.type !== "thinking" || !signatures.has(`${String(first.signature)}\n${String(first.thinking)}`)) {
      return `messages.${index}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first?.type ?? "text"}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks).`;
    }
  }
  return null;
}

/** On-demand compaction's beta: the `compaction` parameter and the blocks it returns need it. */
const COMPACTION_BETA = "compact-2026-09-04";
const SIGNING_KEY = "fake-compaction-signing-key";
const NOTHING_SAMPLED = {
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
  cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
};
/** What the fake's summary keeps: lines that look like a decision, a commitment or something to remember. */
const DECISION =
  /\b(decid\w*|decision\w*|agree\w*|settled|will|must|deadline\w*|due|owner\w*|promis\w*|remember\w*)\b/i;

const blocksOf = (message: Message): Block[] =>
  typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
const digest = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 24);
/** A summary's signature: the hash of its content, and a MAC over that hash and its other fields. */
const signatureOf = (block: Block) => {
  const content = digest(String(block.content));
  return `sig_fake_${content}.${digest(`${SIGNING_KEY}\n${content}\n${JSON.stringify(block.tool_changes ?? null)}\n${block.encrypted_content ?? ""}`)}`;
};

/**
 * What the API answers 400 for around compaction, with its `error_code`: the parameter or a summary without the
 * beta header, the parameter beside `context_management`, a summary anywhere but first, two of them, one altered
 * since it was signed, or a compaction request with nothing to summarize or an unfinished last turn.
 */
function compactionProblem(body: MessagesBody, betas: Set<string>): { message: string; code?: string } | null {
  const messages = body.messages as Message[];
  const summaries = messages.flatMap((message, m) =>
    blocksOf(message).flatMap((block, b) => (block.type === "compaction" ? [{ block, m, b }] : [])),
  );
  if ((body.compaction || summaries.length) && !betas.has(COMPACTION_BETA))
    return body.compaction
      ? { message: "compaction: Extra inputs are not permitted" }
      : {
          message: `messages.${summaries[0]!.m}.content.${summaries[0]!.b}: Input tag 'compaction' found using 'type' does not match any of the expected tags`,
        };
  if (body.compaction) {
    if (body.compaction.type !== "summarize") return { message: "compaction.type: Input should be 'summarize'" };
    if (body.context_management) return { message: "compaction: cannot be combined with context_management" };
  }
  if (summaries.some(({ m, b }) => m !== 0 || b !== 0))
    return {
      message: "The compaction block must be the first block of the conversation.",
      code: "compaction_block_misplaced",
    };
  if (summaries.filter(({ block }) => block.content !== null && block.content !== undefined).length > 1)
    return {
      message: "messages holds more than one compaction block with content: send only the last one returned.",
      code: "compaction_block_ambiguous",
    };
  for (const { block } of summaries) {
    const [content, mac] = String(block.signature ?? "")
      .replace(/^sig_fake_/, "")
      .split(".");
    if (!mac || mac !== signatureOf(block).split(".")[1])
      return { message: "The compaction block's signature does not verify.", code: "compaction_signature_invalid" };
    if (content !== digest(String(block.content)))
      return {
        message: "The compaction block's content differs from the text its signature recorded.",
        code: "compaction_content_mismatch",
      };
  }
  if (!body.compaction) return null;
  if (!messages.some((message) => blocksOf(message).some((block) => block.type !== "compaction")))
    return { message: "messages holds nothing to summarize.", code: "compaction_nothing_to_summarize" };
  const last = messages.at(-1)!;
  if (last.role === "assistant" && blocksOf(last).some((block) => block.type === "tool_use"))
    return {
      message: "The compaction request ends on an unfinished assistant turn.",
      code: "compaction_incomplete_turn",
    };
  return null;
}

/**
 * The fake's summary, deterministic: the lines the summary before it kept, then every line said in the room (the
 * people's words, room context) that looks like a decision, once each; the oldest go first when they would not
 * fit in `maxTokens`, as a summary has only so much room. Signed, so it must come back unchanged.
 */
function compactionBlock(messages: Message[], maxTokens: number): Block {
  const earlier = messages[0]!.role === "assistant" ? String(blocksOf(messages[0]!)[0]?.content ?? "") : "";
  const said = messages
    .filter((message) => message.role === "user")
    .flatMap((message) => blocksOf(message).filter((block) => block.type === "text"))
    .flatMap((block) => (block.text ?? "").split("\n"))
    .flatMap((line) => {
      try {
        const { from, text } = JSON.parse(line) as { from?: unknown; text?: unknown };
        return typeof from === "string" && typeof text === "string" ? [`- ${from}: ${text}`.slice(0, 300)] : [];
      } catch {
        return [];
      }
    });
  const lines = [
    ...new Set([
      ...earlier.split("\n").filter((line) => line.startsWith("- ")),
      ...said.filter((line) => DECISION.test(line)),
    ]),
  ];
  const header = "Summary of the conversation so far: its decisions and commitments.";
  while (lines.length > 0 && tokens([header, ...lines].join("\n")) > maxTokens) lines.shift();
  const content = lines.length
    ? [header, ...lines].join("\n")
    : "Summary of the conversation so far: nothing was decided.";
  const block: Block = { type: "compaction", content, encrypted_content: null, tool_changes: [] };
  return { ...block, signature: signatureOf(block) };
}

/** A message's words: its first text block (later ones carry context, as the bot's turns do). */
function textOf(message: Message): string {
  return typeof message.content === "string"
    ? message.content
    : (message.content.find((block) => block.type === "text")?.text ?? "");
}

/** The input the newest tool result asks to be called with again ("call again with {…}"); null when it asks for none. */
function askedAgain(messages: Message[]): unknown {
  const results = (messages.at(-1)!.content as Block[]).filter((block) => block.type === "tool_result");
  const asked = /call again with (\{[^}]*\})/.exec(results.map((r) => String(r.content)).join("\n"));
  return asked ? (JSON.parse(asked[1]!) as unknown) : null;
}

function parseDirective(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(",")
      .map((pair) => pair.split("="))
      .filter(([key]) => key)
      .map(([key, value]) => [key!.trim(), (value ?? "true").trim()]),
  );
}

/**
 * The room messages tool results show, each linked as the result says to link one — what Claude does when told to
 * cite them — as a Markdown list after the results; "" when they show none.
 */
function cited(results: Block[]): string {
  const links = results
    .flatMap((result) => shownMessages(String(result.content)))
    .map((message) => `- [message ${message.id}](${message.link})`);
  return links.length ? `\n\nCited:\n${links.join("\n")}` : "";
}

/** The default answer says what the model was given, so tests can check memory and ordering. */
function echo(messages: Message[], lastUser: string): string {
  const users = messages.filter((message) => message.role === "user").map(textOf);
  const first = spoken(users[0]!).replace(DIRECTIVE, "").trim().slice(0, 60);
  return `Echo: ${spoken(lastUser)}\n\n(turn ${users.length}; earlier user messages: ${users.length - 1}; first: "${first}")`;
}

/** A user turn read as a model reads the bot's framing: JSON lines `{"from", "text"}` become "from: text". */
function spoken(turn: string): string {
  const lines = turn.split("\n");
  const said = lines.map((line) => {
    try {
      const message = JSON.parse(line) as { from?: unknown; text?: unknown };
      return typeof message.from === "string" && typeof message.text === "string"
        ? `${message.from}: ${message.text}`
        : null;
    } catch {
      return null;
    }
  });
  return said.every((line) => line !== null) ? said.join("\n\n") : turn;
}

async function stream(
  response: ServerResponse,
  message: { id: string; usage: Usage; content: Block[]; stop_reason: string; container: unknown },
  chunkDelay: number,
  chunks: number,
) {
  response.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "request-id": `req_${message.id}`,
  });
  const send = (event: string, data: unknown) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send("message_start", {
    type: "message_start",
    message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } },
  });
  send("ping", { type: "ping" });
  for (const [index, block] of message.content.entries()) {
    if (block.type === "thinking") {
      send("content_block_start", {
        type: "content_block_start",
        index,
        content_block: { type: "thinking", thinking: "", signature: "" },
      });
      send("content_block_delta", {
        type: "content_block_delta",
        index,
        delta: { type: "thinking_delta", thinking: block.thinking },
      });
      send("content_block_delta", {
        type: "content_block_delta",
        index,
        delta: { type: "signature_delta", signature: block.signature },
      });
    } else if (block.type === "tool_use" || block.type === "server_tool_use") {
      send("content_block_start", { type: "content_block_start", index, content_block: { ...block, input: {} } });
      send("content_block_delta", {
        type: "content_block_delta",
        index,
        delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) },
      });
    } else if (block.type !== "text") {
      // Server tool results arrive whole in their start event, as the real API streams them.
      send("content_block_start", { type: "content_block_start", index, content_block: block });
    } else {
      const text = block.text ?? "";
      send("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
      const size = Math.max(1, Math.ceil(text.length / Math.max(1, chunks)));
      for (let offset = 0; offset < text.length; offset += size) {
        if (chunkDelay) await sleep(chunkDelay);
        send("content_block_delta", {
          type: "content_block_delta",
          index,
          delta: { type: "text_delta", text: text.slice(offset, offset + size) },
        });
      }
    }
    send("content_block_stop", { type: "content_block_stop", index });
  }
  send("message_delta", {
    type: "message_delta",
    delta: { stop_reason: message.stop_reason, stop_sequence: null, container: message.container },
    usage: { output_tokens: message.usage.output_tokens },
  });
  send("message_stop", { type: "message_stop" });
  response.end();
}

function error(
  response: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
  code?: string,
) {
  const type = ERROR_TYPES[status] ?? "api_error";
  json(
    response,
    status,
    {
      type: "error",
      error: { type, message, ...(code ? { details: { error_code: code } } : {}) },
      request_id: `req_fake_error`,
    },
    { "request-id": "req_fake_error", ...headers },
  );
}
