import { kept } from "../keep";
import { type BotConfig, readBot } from "./bot";
import { BOT_ID } from "./bots";
import { parseDuration } from "./duration";
import { readPrices } from "./prices";

export type { BotConfig, Schedule } from "./bot";
export { botKeySecretName } from "./bots";
export type { BudgetLimits } from "./budget";
export type { Price } from "./prices";

export const DEFAULT_SESSION_TTL = "24h";

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
  /** Prices by model id laid over the default table (`[vars.PRICES."<model id>"]`). */
  PRICES?: unknown;
};

const cache = new WeakMap<object, Config>();

/** Reads and checks every setting once per isolate; never throws, so a bad setting cannot crash the Worker. */
export function loadConfig(env: ConfigEnv): Config {
  return kept(cache, env, () => readConfig(env));
}

function readConfig(env: ConfigEnv): Config {
  const problems: string[] = [];
  const vars = env as ConfigEnv & Record<string, unknown>;

  const campfireUrl = readUrl(
    vars.CAMPFIRE_URL,
    "CAMPFIRE_URL",
    "Campfire's base URL, e.g. https://chat.example.com",
    problems,
    true,
  );
  const anthropicBaseUrl = readUrl(
    vars.ANTHROPIC_BASE_URL,
    "ANTHROPIC_BASE_URL",
    "an https URL such as an AI Gateway endpoint",
    problems,
    false,
  );
  const anthropicApiKey =
    typeof vars.ANTHROPIC_API_KEY === "string" && vars.ANTHROPIC_API_KEY.trim() !== ""
      ? vars.ANTHROPIC_API_KEY.trim()
      : undefined;
  if (!anthropicApiKey) {
    problems.push(
      "ANTHROPIC_API_KEY is not set: add it with `wrangler secret put ANTHROPIC_API_KEY` (or to .dev.vars locally)",
    );
  }

  const adminToken =
    typeof vars.ADMIN_TOKEN === "string" && vars.ADMIN_TOKEN.trim() !== "" ? vars.ADMIN_TOKEN.trim() : undefined;
  const sessionTtlMs = readSessionTtl(vars, problems);
  const prices = readPrices(vars.PRICES, problems);
  const bots = new Map<string, BotConfig>();
  for (const [id, entry] of Object.entries(readBotsTable(vars.BOTS, problems))) {
    if (!BOT_ID.test(id)) {
      problems.push(`BOTS.${id}: a bot id may hold only letters, digits, "-" and "_" (at most 63); rename the table`);
      continue;
    }
    const bot = readBot(id, entry, sessionTtlMs, vars, problems, prices);
    if (bot) bots.set(id, bot);
  }
  for (const bot of bots.values()) {
    // A bot consults others by id; each must exist and not be itself (consulting is one level deep).
    bot.consult = bot.consult.filter((other) => {
      const ok = other !== bot.id && bots.has(other);
      if (!ok)
        problems.push(
          `BOTS.${bot.id}.consult: "${other}" is ${other === bot.id ? "the bot itself" : "not a bot in BOTS"}; name other bots' ids`,
        );
      return ok;
    });
    // A consultation is paid from the caller's budget, at the consulted bot's model's price.
    for (const other of bot.consult.map((id) => bots.get(id)!)) {
      if (bot.budget && !other.price)
        problems.push(
          `BOTS.${bot.id}.budget: it consults "${other.id}", whose model "${other.model}" has no price; add [vars.PRICES."${other.model}"] with input = and output = to wrangler.toml`,
        );
    }
  }
  const playground = vars.PLAYGROUND === "on";
  return { campfireUrl, anthropicApiKey, anthropicBaseUrl, adminToken, playground, sessionTtlMs, bots, problems };
}

function readUrl(
  value: unknown,
  name: string,
  what: string,
  problems: string[],
  required: boolean,
): string | undefined {
  if (value === undefined || value === "") {
    if (required) problems.push(`${name} is not set: set it to ${what} in wrangler.toml [vars]`);
    return undefined;
  }
  const parsed = typeof value === "string" ? URL.parse(value) : null;
  if (!parsed || !/^https?:$/.test(parsed.protocol)) {
    // Never the value: /health shows problems to anyone, and a gateway URL carries an account id.
    problems.push(`${name} is not an http(s) URL (it must start with https:// or http://): set it to ${what}`);
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
    problems.push(
      `SESSION_TTL_HOURS is "${vars.SESSION_TTL_HOURS}", not a positive number of hours (e.g. 0.5); using ${DEFAULT_SESSION_TTL}`,
    );
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

/** Whether the settings a bot needs to answer are all present. */
export function botReady(config: Config, bot: BotConfig): boolean {
  return Boolean(bot.key && config.campfireUrl && config.anthropicApiKey);
}
