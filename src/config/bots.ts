import { z } from "zod";
import { parseCron } from "../cron";
import { budgetSchema } from "./budget";

/** Bot ids appear in URLs and Durable Object names, and become part of a secret's name. */
export const BOT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

/** The secret holding a bot's Campfire key: `assistant` → `BOT_KEY_ASSISTANT`, `help-desk` → `BOT_KEY_HELP_DESK`. */
export function botKeySecretName(botId: string): string {
  return `BOT_KEY_${botId.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

// Lower-cased as the admin API stores them: "Handbook" names the library "handbook".
const libraryName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, "must be a library name: letters, digits, - and _ (at most 63)")
  .transform((name) => name.toLowerCase());

/** The most rooms one schedule reads: each is read (a few pages) when its cron fires. */
const MAX_SOURCES = 20;
/** The most past answers a schedule keeps: a library holds at most 500 documents (src/knowledge/limits.ts). */
const MAX_KEPT = 500;

/** Campfire ids (rooms, people): the numbers in its URLs, e.g. 3 in /rooms/3. */
const campfireIds = z.array(
  z.number().int("must be whole numbers").positive("must be Campfire ids, which are positive"),
);

/** One entry of the `BOTS` table in wrangler.toml, as written there (snake_case, like the rest of the file). */
export const botEntrySchema = z.strictObject({
  name: z.string().trim().min(1, "must not be empty"),
  model: z.string().trim().min(1, "must not be empty").default("claude-sonnet-5-5"),
  /** The bot's instructions, inline or (`system_prompt_file`) from a bundled Markdown file; not both. */
  system_prompt: z.string().optional(),
  system_prompt_file: z.string().trim().min(1, "must name a file, e.g. prompts/assistant.md").optional(),
  /** Sampling temperature, the API's range; unset leaves the API's default (1). */
  temperature: z.number().min(0, "must be from 0 to 1").max(1, "must be from 0 to 1").optional(),
  max_tokens: z.number().int().min(1).max(128_000).default(1024),
  session_ttl: z.string().optional(),
  time_zone: z.string().default("UTC").refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin"),
  history_budget_tokens: z.number().int().min(500).default(30_000),
  room_context_messages: z.number().int().min(0).max(40).default(20),
  turn_timeout: z.string().default("3m"),
  /** Built-in tools by name (see src/tools); "reminders" stands for all three reminder tools. */
  tools: z.array(z.string()).default([]),
  max_tool_rounds: z.number().int().min(1).max(50).default(8),
  /** Anthropic's server-side tools: they run at Anthropic, so the Worker never fetches a user-chosen URL. */
  web_search: z.strictObject({ max_uses: z.number().int().min(1).max(50).default(5) }).optional(),
  web_fetch: z.strictObject({ max_uses: z.number().int().min(1).max(50).default(5) }).optional(),
  /** Remote MCP servers reached through the Messages API's MCP connector; tokens come from secrets. */
  mcp_servers: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[\w-]+$/, "may hold only letters, digits, - and _"),
        url: z.url({ protocol: /^https?$/ }),
        token_secret: z.string().optional(),
      }),
    )
    .default([]),
  /** Turns started by a Cron Trigger: the cron must also be listed in wrangler.toml [triggers] crons. */
  schedules: z
    .array(
      z.strictObject({
        cron: z.string().superRefine((text, ctx) => {
          const parsed = parseCron(text);
          if ("error" in parsed) ctx.addIssue({ code: "custom", message: parsed.error });
        }),
        room: z.number().int().positive(),
        prompt: z.string().min(1),
        /** Rooms a briefing is written from: what was said in each since the cron's previous firing. */
        sources: campfireIds
          .max(MAX_SOURCES, `may list at most ${MAX_SOURCES} rooms: each is read when the cron fires`)
          .refine((ids) => new Set(ids).size === ids.length, "must not list a room twice")
          .default([]),
        /** A library of the bot's `knowledge_write` that keeps each answer, the newest `keep` of this schedule. */
        library: libraryName.optional(),
        keep: z
          .number()
          .int()
          .min(1)
          .max(MAX_KEPT, `must be at most ${MAX_KEPT}, as many documents as a library holds`)
          .optional(),
      }),
    )
    .default([]),
  /** Knowledge libraries the bot reads, and those it may also store documents in. */
  knowledge: z.array(libraryName).default([]),
  knowledge_write: z.array(libraryName).default([]),
  /** Remember each person across conversations (Anthropic's memory tool), for `memory_ttl` after their last use. */
  memory: z.boolean().default(false),
  memory_ttl: z.string().default("90d"),
  /** People may subscribe to a summary of a room on a schedule of their own (src/digests). */
  digests: z.boolean({ error: "must be true (people may subscribe to digests of a room) or false" }).default(false),
  /** A task list per person (the `tasks` tool), kept in their memory's storage, so it needs `memory`. */
  tasks: z.boolean().default(false),
  /** Bots this one may hand a question to, as a tool `ask_<bot id>`. */
  consult: z.array(z.string()).default([]),
  /** Extended thinking: a token budget, or "adaptive" where the model supports it. */
  thinking: z
    .union([
      z.literal("adaptive"),
      z.strictObject({ budget_tokens: z.number().int().min(1024, "must be at least 1024") }),
    ])
    .optional(),
  /** Anthropic's server-side code execution, and the skills its container loads (they need it). */
  code_execution: z.boolean().default(false),
  skills: z.array(z.string().regex(/^[\w.:-]{1,128}$/, "must be a skill id such as xlsx or skill_01Ab…")).default([]),
  /** Boosted onto a person's message while the bot works on it; "" turns it off. */
  ack_boost: z.string().max(16, "must be one emoji or a short word").default("👀"),
  /** Who may use the bot, by Campfire room and user ids: an absent allow-list allows all; a block beats an allow. */
  rooms: campfireIds.optional(),
  block_rooms: campfireIds.default([]),
  users: campfireIds.optional(),
  block_users: campfireIds.default([]),
  direct_messages: z.boolean().default(true),
  /** Another model (or endpoint) that answers when the bot's own is overloaded, rate-limited or down. */
  fallback: z
    .strictObject({
      model: z.string().trim().min(1, "must not be empty"),
      base_url: z
        .url({ protocol: /^https?$/, error: "must be an http(s) URL such as an AI Gateway endpoint" })
        .optional(),
      key_secret: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a secret's name, e.g. ANTHROPIC_FALLBACK_KEY")
        .optional(),
    })
    .optional(),
  /** Most the bot may spend on Claude: per day and month in its time zone, per person and per room per day. */
  budget: budgetSchema.optional(),
});

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export type BotEntry = z.infer<typeof botEntrySchema>;
