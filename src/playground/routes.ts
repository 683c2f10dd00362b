import { Hono } from "hono";
import { conversationName } from "../conversation/message";
import { loadConfig } from "../config";
import { PLAYGROUND_PAGE } from "./page";
import { ROOMS, USERS } from "./rooms";

type AppEnv = { Bindings: Env };

const store = (env: Env) => env.PLAYGROUND_CAMPFIRE.getByName("playground");

/**
 * A small Campfire for local development: a page to talk in, and a Campfire-compatible bot-messages API the
 * bot posts to, so the page exercises the production path end to end. It exists only when PLAYGROUND is on,
 * which only `npm run dev` sets: a deployed Worker answers 404 here.
 */
export const playground = new Hono<AppEnv>();

playground.use(async (c, next) => {
  if (!loadConfig(c.env).playground) return c.notFound();
  await next();
});

playground.get("/", (c) => c.html(PLAYGROUND_PAGE));

playground.get("/api/config", (c) => {
  const config = loadConfig(c.env);
  const bots = [...config.bots.values()]
    .filter((bot) => bot.key)
    .map((bot) => ({ id: bot.id, name: bot.name, key: bot.key, ttlMs: bot.sessionTtlMs }));
  return c.json({ bots, rooms: ROOMS, users: USERS, offline: !config.anthropicApiKey });
});

playground.get("/api/rooms/:room/messages", async (c) => {
  const since = Number(c.req.query("since") ?? 0);
  return c.json(await store(c.env).changedSince(Number(c.req.param("room")), since));
});

/** A person's message: shown in the room, like Campfire, before the page sends the bot its webhook. */
playground.post("/api/rooms/:room/messages", async (c) => {
  const { user, text } = await c.req.json<{ user: { id: number; name: string }; text: string }>();
  return c.json(await store(c.env).say(Number(c.req.param("room")), user, text));
});

/** Where the conversation stands, for the page's TTL countdown; null once it has been forgotten. */
playground.get("/api/rooms/:room/conversation/:bot", async (c) => {
  const { room, bot } = c.req.param();
  return c.json(await c.env.CONVERSATIONS.getByName(conversationName(Number(room), bot)).describe());
});

/** A file the bot posted, to download from its chip; only files up to 1 MB are kept. */
playground.get("/api/files/:message", async (c) => {
  const file = await store(c.env).file(Number(c.req.param("message")));
  if (!file) return c.text("no such file here: files over 1 MB are shown but not kept", 404);
  return c.body(file.bytes, 200, {
    "content-type": file.type || "application/octet-stream",
    "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
  });
});

/** Campfire's bot API, which the bot calls as it would a real Campfire (CAMPFIRE_URL is PLAYGROUND_CAMPFIRE_PATH). */
playground.all("/campfire/*", (c) => store(c.env).fetch(c.req.raw));
