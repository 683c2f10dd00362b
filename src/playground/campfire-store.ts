import { DurableObject } from "cloudflare:workers";
import { handleBotApi } from "../campfire-emulator/bot-api";
import type { CampfireUser } from "../campfire-emulator/store";
import { botUserId } from "../campfire/room";
import { loadConfig } from "../config";
import { ROOMS } from "./rooms";
import { type StoredFile, SqliteCampfireStore } from "./sqlite-store";
import { type PlaygroundMessage, SCHEMA } from "./store-rows";

/** Where the playground serves Campfire's bot API: `npm run dev` sets CAMPFIRE_URL to it. */
export const PLAYGROUND_CAMPFIRE_PATH = "/playground/campfire";

/**
 * The playground's stand-in for Campfire: its database (every room's messages, people's and bots', their boosts
 * and uploaded files) and Campfire's bot API over it, answered by the Campfire emulator. One object for the
 * whole local playground; it exists only when PLAYGROUND is on.
 */
export class PlaygroundCampfire extends DurableObject<Env> {
  private readonly store: SqliteCampfireStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    for (const statement of SCHEMA) ctx.storage.sql.exec(statement);
    const bots = new Map<string, CampfireUser>();
    for (const bot of loadConfig(env).bots.values())
      if (bot.key) bots.set(bot.key, { id: botUserId(bot.key), name: bot.name, role: "bot" });
    this.store = new SqliteCampfireStore(
      ctx.storage.sql,
      bots,
      ROOMS.map((room) => room.id),
    );
  }

  /** Campfire's bot API, under PLAYGROUND_CAMPFIRE_PATH. */
  override fetch(request: Request): Promise<Response> {
    return handleBotApi(request, this.store, { baseUrl: new URL(PLAYGROUND_CAMPFIRE_PATH, request.url).href });
  }

  /** A person's message, typed in the page. */
  say(roomId: number, user: { id: number; name: string }, text: string): PlaygroundMessage {
    return this.store.forPage(this.store.post(roomId, { ...user, role: "member" }, { html: text }).id);
  }

  /** Every message of a room changed after `version`, for the page's polling. */
  changedSince(roomId: number, version: number): PlaygroundMessage[] {
    return this.store.changedSince(roomId, version);
  }

  /** A kept file's bytes; null when there is no such file or it was too big to keep. */
  file(messageId: number): StoredFile | null {
    return this.store.file(messageId);
  }
}
