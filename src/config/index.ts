import { TOOL_GROUPS, TOOLS } from "../tools";
import { BOT_ID, botEntrySchema, botKeySecretName } from "./bots";
import { parseDuration } from "./duration";

export { botKeySecretName } from "./bots";

export const DEFAULT_SESSION_TTL = "24h";

export interface BotConfig {
  id: string;
  name: string;
  model: string;
  systemPrompt: string;
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
  tools: string[];
  maxToolRounds: number;
  webSearchMaxUses?: number;
  webFetchMaxUses?: number;
  mcpServers: { name: string; url: string; token?: string }[];
  schedules: { cron: string; roomId: number; prompt: string }[];
  /** The Campfire bot key; absent when its secret is not set, and then the bot rejects every webhook. */
  key?: string;
  keySecret: string;
}

export interface Config {
  campfireUrl?: string;
  anthropicApiKey?: string;
  anthropicBaseUrl?: string;
  /** Opens /metrics and /admin; without it they answer 404. */
  adminToken?: string;
  /** Local development only (`npm run dev` sets PLAYGROUND): the playground page and, without a key, the offline model. */
  playground: boolean;
  sessionTtlMs: number;
  bots: Map<string, BotConfig>;
  /** Settings that are wrong, each saying which one, what is wrong and how to fix it. */
  problems: string[];
}

/** The bindings this module reads; `BOT_KEY_<ID>` secrets are looked up by name, so the record is open. */
export type ConfigEnv = Pick<Env, "CAMPFIRE_URL" | "SESSION_TTL" | "BOTS"> & {
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
  SESSION_TTL_HOURS?: string;
  ADMIN_TOKEN?: string;
  PLAYGROUND?: string;
};

const cache = new WeakMap<object, Config>();

/** Reads and checks every setting once per isolate; never throws, so a bad setting cannot crash the Worker. */
export function loadConfig(env: ConfigEnv): Config {
  let config = cache.get(env);
  if (!config) {
    config = readConfig(env);
    cache.set(env, config);
  }
  return config;
}

function readConfig(env: ConfigEnv): Config {
  const problems: string[] = [];
  const vars = env as ConfigEnv & Record<string, unknown>;

  const campfireUrl = readUrl(vars.CAMPFIRE_URL, "CAMPFIRE_URL", "Campfire's base URL, e.g. https://chat.example.com", problems, true);
  const anthropicBaseUrl = readUrl(vars.ANTHROPIC_BASE_URL, "ANTHROPIC_BASE_URL", "an https URL such as an AI Gateway endpoint", problems, false);
  const anthropicApiKey = typeof vars.ANTHROPIC_API_KEY === "string" && vars.ANTHROPIC_API_KEY.trim() !== "" ? vars.ANTHROPIC_API_KEY.trim() : undefined;
  if (!anthropicApiKey) {
    problems.push("ANTHROPIC_API_KEY is not set: add it with `wrangler secret put ANTHROPIC_API_KEY` (or to .dev.vars locally)");
  }

  const adminToken = typeof vars.ADMIN_TOKEN === "string" && vars.ADMIN_TOKEN.trim() !== "" ? vars.ADMIN_TOKEN.trim() : undefined;
  const sessionTtlMs = readSessionTtl(vars, problems);
  const bots = new Map<string, BotConfig>();
  for (const [id, entry] of Object.entries(readBotsTable(vars.BOTS, problems))) {
    const bot = readBot(id, entry, sessionTtlMs, vars, problems);
    if (bot) bots.set(id, bot);
  }
  const playground = vars.PLAYGROUND === "on";
  return { campfireUrl, anthropicApiKey, anthropicBaseUrl, adminToken, playground, sessionTtlMs, bots, problems };
}

function readUrl(value: unknown, name: string, what: string, problems: string[], required: boolean): string | undefined {
  if (value === undefined || value === "") {
    if (required) problems.push(`${name} is not set: set it to ${what} in wrangler.toml [vars]`);
    return undefined;
  }
  const parsed = typeof value === "string" ? URL.parse(value) : null;
  if (!parsed || !/^https?:$/.test(parsed.protocol)) {
    problems.push(`${name} is "${String(value)}", which is not an http(s) URL: set it to ${what}`);
    return undefined;
  }
  // Paths are appended to it, so a trailing slash would double up.
  return parsed.href.replace(/\/+$/, "");
}

function readSessionTtl(vars: ConfigEnv, problems: string[]): number {
  const fallback = parseDuration(DEFAULT_SESSION_TTL) as { ms: number };
  if (vars.SESSION_TTL !== undefined && vars.SESSION_TTL !== "") {
    const ttl = parseDuration(String(vars.SESSION_TTL));
    if ("ms" in ttl) return ttl.ms;
    problems.push(`SESSION_TTL: ${ttl.error}; using ${DEFAULT_SESSION_TTL} until it is fixed`);
    return fallback.ms;
  }
  if (vars.SESSION_TTL_HOURS !== undefined && vars.SESSION_TTL_HOURS !== "") {
    const hours = Number(vars.SESSION_TTL_HOURS);
    if (Number.isFinite(hours) && hours * 3_600_000 >= 1_000) return Math.round(hours * 3_600_000);
    problems.push(`SESSION_TTL_HOURS is "${vars.SESSION_TTL_HOURS}", not a positive number of hours (e.g. 0.5); using ${DEFAULT_SESSION_TTL}`);
  }
  return fallback.ms;
}

function readBotsTable(value: unknown, problems: string[]): Record<string, unknown> {
  // A dashboard or `--var` sets BOTS as a JSON string; wrangler.toml gives an object.
  let table = value;
  if (typeof value === "string") {
    try {
      table = JSON.parse(value);
    } catch {
      problems.push("BOTS is a string but not JSON: define it as a [vars.BOTS.<id>] table in wrangler.toml");
      return {};
    }
  }
  if (table === undefined || table === null) {
    problems.push("BOTS is not set: add a [vars.BOTS.<id>] table to wrangler.toml for each bot");
    return {};
  }
  if (typeof table !== "object" || Array.isArray(table)) {
    problems.push("BOTS must be a table of bots keyed by id, e.g. [vars.BOTS.assistant]");
    return {};
  }
  return table as Record<string, unknown>;
}

function readBot(id: string, entry: unknown, defaultTtlMs: number, vars: Record<string, unknown>, problems: string[]): BotConfig | undefined {
  if (!BOT_ID.test(id)) {
    problems.push(`BOTS.${id}: a bot id may hold only letters, digits, "-" and "_" (at most 63); rename the table`);
    return undefined;
  }
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
  const tools: string[] = [];
  for (const name of parsed.data.tools) {
    const names = TOOL_GROUPS[name] ?? [name];
    if (names.every((tool) => TOOLS.has(tool))) tools.push(...names);
    else problems.push(`BOTS.${id}.tools: there is no tool "${name}"; the tools are ${[...TOOLS.keys(), ...Object.keys(TOOL_GROUPS)].join(", ")}`);
  }
  const mcpServers = parsed.data.mcp_servers.map((server) => {
    const token = server.token_secret === undefined ? undefined : vars[server.token_secret];
    if (server.token_secret !== undefined && (typeof token !== "string" || token === "")) {
      problems.push(`BOTS.${id}.mcp_servers.${server.name}: the secret ${server.token_secret} is not set; add it with \`wrangler secret put ${server.token_secret}\``);
    }
    return { name: server.name, url: server.url, token: typeof token === "string" && token !== "" ? token : undefined };
  });
  const keySecret = botKeySecretName(id);
  const rawKey = vars[keySecret];
  const key = typeof rawKey === "string" && rawKey.trim() !== "" ? rawKey.trim() : undefined;
  if (!key) {
    problems.push(`${keySecret} is not set, so bot "${id}" rejects every webhook: add the bot key Campfire shows with \`wrangler secret put ${keySecret}\``);
  }
  return {
    id,
    name: parsed.data.name,
    model: parsed.data.model,
    systemPrompt: parsed.data.system_prompt,
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
    schedules: parsed.data.schedules.map((schedule) => ({ cron: schedule.cron, roomId: schedule.room, prompt: schedule.prompt })),
    key,
    keySecret,
  };
}

/** Whether the settings a bot needs to answer are all present. */
export function botReady(config: Config, bot: BotConfig): boolean {
  return Boolean(bot.key && config.campfireUrl && config.anthropicApiKey);
}
