import type { BotEntry } from "./bots";

/** Which rooms and people a bot serves, and who answers when its model cannot: read and checked here. */

export interface BotAccess {
  rooms: number[] | null;
  blockRooms: number[];
  users: number[] | null;
  blockUsers: number[];
  directMessages: boolean;
}

export interface BotFallback {
  model: string;
  /** Its own endpoint and key; absent means the primary's (ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY). */
  baseUrl?: string;
  apiKey?: string;
}

/** The access lists as written; a list that refuses what another allows, or allows nothing, is a problem to fix. */
export function readAccess(id: string, bot: BotEntry, problems: string[]): BotAccess {
  for (const [allow, block, what, whats] of [
    ["rooms", "block_rooms", "room", "rooms"],
    ["users", "block_users", "person", "people"],
  ] as const) {
    const both = (bot[allow] ?? []).filter((entry) => bot[block].includes(entry));
    if (both.length === 1)
      problems.push(
        `BOTS.${id}.${block}: ${what} ${both[0]} is also in ${allow}; a block wins, so remove it from one of the lists`,
      );
    if (both.length > 1)
      problems.push(
        `BOTS.${id}.${block}: ${whats} ${both.join(", ")} are also in ${allow}; a block wins, so remove them from one of the lists`,
      );
    if (bot[allow]?.length === 0)
      problems.push(
        `BOTS.${id}.${allow}: an empty list lets no ${what} use the bot; list the ids it serves, or remove ${allow} to serve every ${what}`,
      );
  }
  return {
    rooms: bot.rooms ?? null,
    blockRooms: bot.block_rooms,
    users: bot.users ?? null,
    blockUsers: bot.block_users,
    directMessages: bot.direct_messages,
  };
}

/** The fallback with its key read from the named secret; without that secret there is no fallback, and a problem says so. */
export function readFallback(
  id: string,
  bot: BotEntry,
  vars: Record<string, unknown>,
  problems: string[],
): BotFallback | null {
  if (!bot.fallback) return null;
  const { model, base_url, key_secret } = bot.fallback;
  let apiKey: string | undefined;
  if (key_secret !== undefined) {
    const secret = vars[key_secret];
    if (typeof secret !== "string" || secret.trim() === "") {
      problems.push(
        `BOTS.${id}.fallback.key_secret: the secret ${key_secret} is not set, so the bot has no fallback; add it with \`wrangler secret put ${key_secret}\``,
      );
      return null;
    }
    apiKey = secret.trim();
  }
  if (model === bot.model && base_url === undefined && key_secret === undefined) {
    problems.push(
      `BOTS.${id}.fallback: it is the bot's own model through the same endpoint and key, so it would fail when the bot does and is not used; name another model, base_url or key_secret`,
    );
    return null;
  }
  // Paths are appended to it, so a trailing slash would double up (as for ANTHROPIC_BASE_URL).
  return { model, baseUrl: base_url?.replace(/\/+$/, ""), apiKey };
}
