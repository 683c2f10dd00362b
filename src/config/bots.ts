import { z } from "zod";

/** Bot ids appear in URLs and Durable Object names, and become part of a secret's name. */
export const BOT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

/** The secret holding a bot's Campfire key: `assistant` → `BOT_KEY_ASSISTANT`, `help-desk` → `BOT_KEY_HELP_DESK`. */
export function botKeySecretName(botId: string): string {
  return `BOT_KEY_${botId.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/** One entry of the `BOTS` table in wrangler.toml, as written there (snake_case, like the rest of the file). */
export const botEntrySchema = z.strictObject({
  name: z.string().trim().min(1, "must not be empty"),
  model: z.string().trim().min(1, "must not be empty").default("claude-sonnet-5-5"),
  system_prompt: z.string().default("You are a helpful assistant in a Campfire chat room."),
  max_tokens: z.number().int().min(1).max(128_000).default(1024),
  session_ttl: z.string().optional(),
});

export type BotEntry = z.infer<typeof botEntrySchema>;
