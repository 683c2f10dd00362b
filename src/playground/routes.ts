import { Hono } from "hono";
import { botUserId } from "../campfire/room";
import { conversationName } from "../conversation/message";
import { loadConfig } from "../config";
import { PLAYGROUND_PAGE } from "./page";

type AppEnv = { Bindings: Env };

/** The people and rooms of the local playground: two shared rooms and a direct-message room per person. */
const USERS = [
  { id: 7, name: "Ada Lovelace" },
  { id: 8, name: "Grace Hopper" },
];
const ROOMS = [
  { id: 1, name: "Watercooler" },
  { id: 2, name: "Lab" },
  ...USERS.map((user) => ({ id: 100 + user.id, name: `Direct: ${user.name.split(" ")[0]}` })),
];

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
  const bots = [...config.bots.values()].filter((bot) => bot.key).map((bot) => ({ id: bot.id, name: bot.name, key: bot.key, ttlMs: bot.sessionTtlMs }));
  return c.json({ bots, rooms: ROOMS, users: USERS, offline: !config.anthropicApiKey });
});

playground.get("/api/rooms/:room/messages", async (c) => {
  const since = Number(c.req.query("since") ?? 0);
  return c.json(await store(c.env).changedSince(Number(c.req.param("room")), since));
});

/** A person's message: shown in the room, like Campfire, before the page sends the bot its webhook. */
playground.post("/api/rooms/:room/messages", async (c) => {
  const { user, text } = await c.req.json<{ user: { id: number; name: string }; text: string }>();
  return c.json(await store(c.env).post(Number(c.req.param("room")), { ...user, bot: false }, text));
});

/** Where the conversation stands, for the page's TTL countdown; null once it has been forgotten. */
playground.get("/api/rooms/:room/conversation/:bot", async (c) => {
  const { room, bot } = c.req.param();
  return c.json(await c.env.CONVERSATIONS.getByName(conversationName(Number(room), bot)).describe());
});

// Campfire's bot API, as the bot uses it: post, read, edit and delete under /rooms/<room>/<bot key>/messages.
const botApi = new Hono<{ Bindings: Env; Variables: { botUser: { id: number; name: string } } }>();

botApi.use("/rooms/:room/:key/*", async (c, next) => {
  const bot = [...loadConfig(c.env).bots.values()].find((candidate) => candidate.key === c.req.param("key"));
  if (!bot?.key) return c.redirect("/session/new", 302);
  c.set("botUser", { id: botUserId(bot.key), name: bot.name });
  await next();
});

botApi.post("/rooms/:room/:key/messages", async (c) => {
  const body = await c.req.text();
  if (!body.trim()) return c.body(null, 422);
  const user = c.get("botUser");
  const message = await store(c.env).post(Number(c.req.param("room")), { ...user, bot: true }, body);
  return c.body(null, 201, { location: new URL(`/playground/rooms/${message.roomId}/messages/${message.id}`, c.req.url).href });
});

botApi.get("/rooms/:room/:key/messages", async (c) => {
  const before = c.req.query("before");
  const page = await store(c.env).page(Number(c.req.param("room")), before ? Number(before) : undefined);
  return c.json(
    page.map((m) => ({
      id: m.id,
      created_at: new Date(m.createdAt).toISOString(),
      body: { plain_text: m.body.replace(/<[^>]*>/g, ""), html: m.body },
      creator: { id: m.creator.id, name: m.creator.name, role: m.creator.bot ? "bot" : "member" },
      room: { id: m.roomId },
    })),
  );
});

botApi.patch("/rooms/:room/:key/messages/:id", async (c) => {
  const edited = await store(c.env).edit(Number(c.req.param("room")), Number(c.req.param("id")), await c.req.text());
  return c.body(null, edited ? 204 : 404);
});

botApi.delete("/rooms/:room/:key/messages/:id", async (c) => {
  const removed = await store(c.env).remove(Number(c.req.param("room")), Number(c.req.param("id")));
  return c.body(null, removed ? 204 : 404);
});

playground.route("/campfire", botApi);
