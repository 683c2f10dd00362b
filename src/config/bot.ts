import type { ThinkingConfigParam } from "@anthropic-ai/sdk/resources/messages";
import { type BotAccess, type BotFallback, readAccess, readFallback } from "./bot-bounds";
import { type BotEntry, botEntrySchema, botKeySecretName } from "./bots";
import { type BudgetLimits, budgetLimits } from "./budget";
import { parseDuration } from "./duration";
import type { Price } from "./prices";
import { placeholderProblems, promptFile } from "./prompt-text";
import { DIGEST_TOOL_NAMES, isToolName, TOOL_GROUPS, TOOL_NAMES, type ToolName } from "./tool-names";

export type { BotAccess, BotFallback } from "./bot-bounds";

export interface BotConfig {
  id: string;
  name: string;
  model: string;
  /** Its instructions (from `system_prompt_file` if given), placeholders still in: they are filled per conversation. */
  systemPrompt: string;
  /** Sent with every request when set; null leaves the API's default. */
  temperature: number | null;
  maxTokens: number;
  sessionTtlMs: number;
  timeZone: string;
  /** Tokens of history sent with each turn, at most; older exchanges are dropped. */
  historyBudgetTokens: number;
  /** Recent room messages given to Claude as context; 0 turns it off. */
  roomContextMessages: number;
  /** How long one turn may run before it is stopped with an honest message. */
  turnTimeoutMs: number;
  /** Built-in tools this bot may use, by name. */
  tools: ToolName[];
  maxToolRounds: number;
  webSearchMaxUses?: number;
  webFetchMaxUses?: number;
  mcpServers: { name: string; url: string; token?: string }[];
  schedules: Schedule[];
  /** Libraries the bot reads (those it writes included) and writes. */
  knowledge: { read: string[]; write: string[] };
  /** How long a person's memory lives after its last use; null when the bot keeps no memory. */
  memoryTtlMs: number | null;
  /** People may subscribe to digests of a room (the digest tools). */
  digests: boolean;
  /** Whether each person has a task list with the bot (in their memory's storage, so only with memory). */
  tasks: boolean;
  /** Bots this one may hand a question to (checked against BOTS). */
  consult: string[];
  thinking: ThinkingConfigParam | null;
  codeExecution: boolean;
  skills: string[];
  /** The boost put on a person's message while the bot works on it; "" for none. */
  ackBoost: string;
  /** Which rooms and people the bot serves (see src/webhook/access.ts); null lists allow everyone. */
  access: BotAccess;
  /** Who answers when this bot's model is overloaded, rate-limited or down; null for no one. */
  fallback: BotFallback | null;
  /** Most the bot may spend on Claude; null for no budget. */
  budget: BudgetLimits | null;
  /** What its model costs (from PRICES or the default table); null when the model has no price. */
  price: Price | null;
  /** What its fallback's model costs; null without a fallback or a price for it (its calls are then priced as `price`). */
  fallbackPrice: Price | null;
  /** The Campfire bot key; absent when its secret is not set, and then the bot rejects every webhook. */
  key?: string;
  keySecret: string;
}

/** A turn started by a Cron Trigger in room `roomId`; with `sources`, a briefing written from those rooms. */
export interface Schedule {
  cron: string;
  roomId: number;
  prompt: string;
  /** Rooms read for the briefing, in the operator's order; none for a plain scheduled turn. */
  sources: number[];
  /** The library each answer is kept in, the newest `keep` of them; null when answers are not kept. */
  library: string | null;
  keep: number;
}

/** How many past answers a schedule with a `library` keeps unless it says. */
const DEFAULT_KEEP = 60;

/** One bot's table, checked; every problem is added to `problems` with the setting's name and how to fix it. */
export function readBot(
  id: string,
  entry: unknown,
  defaultTtlMs: number,
  vars: Record<string, unknown>,
  problems: string[],
  prices: ReadonlyMap<string, Price>,
): BotConfig | undefined {
  const parsed = botEntrySchema.safeParse(entry);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.length ? `.${issue.path.join(".")}` : "";
      problems.push(`BOTS.${id}${field}: ${issue.message}`);
    }
    return undefined;
  }
  let sessionTtlMs = defaultTtlMs;
  if (parsed.data.session_ttl !== undefined) {
    const ttl = parseDuration(parsed.data.session_ttl);
    if ("ms" in ttl) sessionTtlMs = ttl.ms;
    else problems.push(`BOTS.${id}.session_ttl: ${ttl.error}`);
  }
  const turnTimeout = parseDuration(parsed.data.turn_timeout);
  if ("error" in turnTimeout) problems.push(`BOTS.${id}.turn_timeout: ${turnTimeout.error}`);
  const tools: ToolName[] = [];
  for (const name of parsed.data.tools) {
    const names: readonly string[] = TOOL_GROUPS[name] ?? [name];
    if (names.every(isToolName)) tools.push(...names);
    else if ((DIGEST_TOOL_NAMES as readonly string[]).includes(name))
      problems.push(`BOTS.${id}.tools: "${name}" comes with digests = true; set that instead of listing it in tools`);
    else
      problems.push(
        `BOTS.${id}.tools: there is no tool "${name}"; the tools are ${[...TOOL_NAMES, ...Object.keys(TOOL_GROUPS)].join(", ")}`,
      );
  }
  const mcpServers = parsed.data.mcp_servers.map((server) => {
    const token = server.token_secret === undefined ? undefined : vars[server.token_secret];
    if (server.token_secret !== undefined && (typeof token !== "string" || token === "")) {
      problems.push(
        `BOTS.${id}.mcp_servers.${server.name}: the secret ${server.token_secret} is not set; add it with \`wrangler secret put ${server.token_secret}\``,
      );
    }
    return { name: server.name, url: server.url, token: typeof token === "string" && token !== "" ? token : undefined };
  });
  const bot = parsed.data;
  const memoryTtl = parseDuration(bot.memory_ttl);
  if ("error" in memoryTtl) problems.push(`BOTS.${id}.memory_ttl: ${memoryTtl.error}`);
  if (bot.skills.length && !bot.code_execution)
    problems.push(
      `BOTS.${id}.skills: skills run in Anthropic's code-execution container; add code_execution = true to this bot`,
    );
  if (typeof bot.thinking === "object" && bot.thinking.budget_tokens >= bot.max_tokens) {
    problems.push(
      `BOTS.${id}.thinking.budget_tokens: must be less than max_tokens (${bot.max_tokens}), which also covers the answer; raise max_tokens or lower the budget`,
    );
  }
  checkSchedules(id, bot, problems);
  if (bot.tasks && !bot.memory)
    problems.push(
      `BOTS.${id}.tasks: a person's task list is kept with their memory of the bot (and ends with it, memory_ttl after its last use); add memory = true to this bot`,
    );
  if (bot.temperature !== undefined && bot.thinking !== undefined)
    problems.push(
      `BOTS.${id}.temperature: with thinking, Claude's API refuses any temperature but 1, which is already its default; remove temperature, or thinking`,
    );
  const systemPrompt = readPrompt(id, bot, problems);
  const access = readAccess(id, bot, problems);
  const fallback = readFallback(id, bot, vars, problems);
  const budget = budgetLimits(bot.budget);
  const price = prices.get(parsed.data.model) ?? null;
  if (budget && !price) {
    problems.push(
      `BOTS.${id}.budget: the model "${parsed.data.model}" has no price, so its spending cannot be counted; add [vars.PRICES."${parsed.data.model}"] with input = and output = (US dollars per million tokens) to wrangler.toml`,
    );
  }
  const keySecret = botKeySecretName(id);
  const rawKey = vars[keySecret];
  const key = typeof rawKey === "string" && rawKey.trim() !== "" ? rawKey.trim() : undefined;
  if (!key) {
    problems.push(
      `${keySecret} is not set, so bot "${id}" rejects every webhook: add the bot key Campfire shows with \`wrangler secret put ${keySecret}\``,
    );
  }
  return {
    id,
    name: parsed.data.name,
    model: parsed.data.model,
    systemPrompt,
    temperature: bot.temperature ?? null,
    maxTokens: parsed.data.max_tokens,
    sessionTtlMs,
    timeZone: parsed.data.time_zone,
    historyBudgetTokens: parsed.data.history_budget_tokens,
    roomContextMessages: parsed.data.room_context_messages,
    turnTimeoutMs: "ms" in turnTimeout ? turnTimeout.ms : 3 * 60_000,
    tools: [...new Set(tools)],
    maxToolRounds: parsed.data.max_tool_rounds,
    webSearchMaxUses: parsed.data.web_search?.max_uses,
    webFetchMaxUses: parsed.data.web_fetch?.max_uses,
    mcpServers,
    schedules: parsed.data.schedules.map((schedule) => ({
      cron: schedule.cron,
      roomId: schedule.room,
      prompt: schedule.prompt,
      sources: schedule.sources,
      library: schedule.library ?? null,
      keep: schedule.keep ?? DEFAULT_KEEP,
    })),
    knowledge: { read: [...new Set([...bot.knowledge, ...bot.knowledge_write])], write: bot.knowledge_write },
    memoryTtlMs: bot.memory ? ("ms" in memoryTtl ? memoryTtl.ms : 90 * 86_400_000) : null,
    digests: bot.digests,
    tasks: bot.tasks && bot.memory,
    consult: bot.consult,
    thinking:
      bot.thinking === undefined
        ? null
        : bot.thinking === "adaptive"
          ? { type: "adaptive" }
          : { type: "enabled", budget_tokens: bot.thinking.budget_tokens },
    codeExecution: bot.code_execution,
    skills: bot.skills,
    ackBoost: bot.ack_boost.trim(),
    access,
    fallback,
    budget,
    price,
    fallbackPrice: fallback && (prices.get(fallback.model) ?? null),
    key,
    keySecret,
  };
}

/** What a schedule's fields cannot say alone: its library is the bot's to write, and no two share a firing. */
function checkSchedules(id: string, bot: BotEntry, problems: string[]): void {
  bot.schedules.forEach((schedule, index) => {
    const at = `BOTS.${id}.schedules.${index}`;
    // The Worker stores the answers itself: the bot need only read the library to be asked about them.
    const reads = [...bot.knowledge, ...bot.knowledge_write];
    if (schedule.library !== undefined && !reads.includes(schedule.library))
      problems.push(
        `${at}.library: "${schedule.library}" is not a library this bot reads, so no one could ask it about what it kept there; add knowledge = ["${schedule.library}"] to this bot (the Worker stores the answers: store_document is not needed)`,
      );
    if (schedule.keep !== undefined && schedule.library === undefined)
      problems.push(
        `${at}.keep: keeps past answers only in a library; add library = "briefings" (or another library the bot reads)`,
      );
    // A firing is known by its cron and room (the turn's message id), so two such schedules would start one turn.
    const twin = bot.schedules.findIndex((other) => other.cron === schedule.cron && other.room === schedule.room);
    if (twin < index)
      problems.push(
        `${at}: schedules.${twin} has the same cron and room, so only one of them would start a turn; merge their prompts or give one another cron`,
      );
  });
}

const DEFAULT_PROMPT = "You are a helpful assistant in a Campfire chat room.";

/** The bot's instructions, inline or from its bundled file, with every placeholder it cannot fill named as a problem. */
function readPrompt(id: string, bot: BotEntry, problems: string[]): string {
  if (bot.system_prompt !== undefined && bot.system_prompt_file !== undefined) {
    problems.push(
      `BOTS.${id}: system_prompt and system_prompt_file are both set; keep one (the file's text is the whole prompt)`,
    );
  }
  let prompt = bot.system_prompt ?? DEFAULT_PROMPT;
  let setting = "system_prompt";
  if (bot.system_prompt === undefined && bot.system_prompt_file !== undefined) {
    const file = promptFile(bot.system_prompt_file);
    if ("error" in file) problems.push(`BOTS.${id}.system_prompt_file: ${file.error}`);
    else prompt = file.text;
    setting = "system_prompt_file";
  }
  for (const problem of placeholderProblems(prompt)) problems.push(`BOTS.${id}.${setting}: ${problem}`);
  return prompt;
}
