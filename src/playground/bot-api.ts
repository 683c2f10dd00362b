import { Hono } from "hono";
import { campfireFilename } from "../campfire/attachments";
import { botUserId } from "../campfire/room";
import { loadConfig } from "../config";
import type { PlaygroundMessage } from "./campfire-store";

type BotApiEnv = { Bindings: Env; Variables: { botUser: { id: number; name: string } } };

const store = (env: Env) => env.PLAYGROUND_CAMPFIRE.getByName("playground");

/**
 * Campfire's bot API as the bot uses it, with Campfire's answers: post text or a file, read, edit and delete
 * under /rooms/<room>/<bot key>/messages, and boost a message or remove the boost. A wrong key is Campfire's
 * redirect to the login page.
 */
export const botApi = new Hono<BotApiEnv>();

botApi.use("/rooms/:room/:key/*", async (c, next) => {
  const bot = [...loadConfig(c.env).bots.values()].find((candidate) => candidate.key === c.req.param("key"));
  if (!bot?.key) return c.redirect("/session/new", 302);
  c.set("botUser", { id: botUserId(bot.key), name: bot.name });
  await next();
});

/** Text as the raw body, or a file in the multipart field `attachment` (then the message has no text). */
botApi.post("/rooms/:room/:key/messages", async (c) => {
  const room = Number(c.req.param("room"));
  const creator = { ...c.get("botUser"), bot: true };
  let message: PlaygroundMessage;
  if (c.req.header("content-type")?.startsWith("multipart/form-data")) {
    const file = (await c.req.formData().catch(() => null))?.get("attachment");
    if (!(file instanceof File)) return c.text("a file upload needs the file in the multipart field \"attachment\"", 422);
    message = await store(c.env).postFile(room, creator, { name: campfireFilename(file.name), type: file.type, bytes: new Uint8Array(await file.arrayBuffer()) });
  } else {
    const body = await c.req.text();
    if (!body.trim()) return c.body(null, 422);
    message = await store(c.env).post(room, creator, body);
  }
  return c.body(null, 201, { location: new URL(`/playground/rooms/${message.roomId}/messages/${message.id}`, c.req.url).href });
});

botApi.get("/rooms/:room/:key/messages", async (c) => {
  const before = c.req.query("before");
  const page = await store(c.env).page(Number(c.req.param("room")), before ? Number(before) : undefined);
  return c.json(
    page.map((m) => ({
      id: m.id,
      created_at: new Date(m.createdAt).toISOString(),
      // As Campfire's Message#plain_text_body: the text, else the attached file's name.
      body: { plain_text: m.body.replace(/<[^>]*>/g, "") || (m.attachment?.name ?? ""), html: m.body },
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

/** The raw body is the boost's content (e.g. 👀); Campfire answers with the boost's JSON, whose id removes it. */
botApi.post("/rooms/:room/:key/messages/:id/boosts", async (c) => {
  const content = (await c.req.text()).trim();
  if (!content) return c.body(null, 422);
  const boost = await store(c.env).boost(Number(c.req.param("room")), Number(c.req.param("id")), content, c.get("botUser"));
  if (!boost) return c.body(null, 404);
  return c.json({ id: boost.id, content: boost.content, created_at: new Date(boost.createdAt).toISOString(), booster: boost.booster, message: { id: boost.messageId } }, 201);
});

botApi.delete("/rooms/:room/:key/messages/:id/boosts/:boost", async (c) => {
  const { room, id, boost } = c.req.param();
  const removed = await store(c.env).unboost(Number(room), Number(id), Number(boost), c.get("botUser").id);
  return c.body(null, removed ? 204 : 404);
});
