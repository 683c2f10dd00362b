import { Hono } from "hono";
import { botOf, iso } from "../control/admin";
import { recordAudit } from "../control/audit";
import { log } from "../log";
import { type DigestView, digestsOf } from "./access";
import { IDLE_LIMIT_MS, MAX_PER_BOT, MAX_PER_PERSON } from "./schedule";

type AppEnv = { Bindings: Env };

/**
 * People's digest subscriptions, for operators: mounted at /admin/digests behind ADMIN_TOKEN. Metadata only: who,
 * which room, when, where it goes, how it ended — a focus only by its length, and never what a digest said.
 */
export const digestsAdmin = new Hono<AppEnv>();

const show = (digest: DigestView) => ({
  id: digest.id,
  owner: digest.owner,
  room: digest.roomId,
  postedIn: digest.postRoomId === digest.roomId ? "room" : "direct",
  postRoom: digest.postRoomId,
  cron: digest.cron,
  timeZone: digest.timeZone,
  focusChars: digest.focus.length,
  createdAt: iso(digest.createdAt),
  nextDueAt: digest.endedAt === null ? iso(digest.nextDueAt) : null,
  lastDeliveredAt: iso(digest.deliveredAt),
  endedAt: iso(digest.endedAt),
  endedWhy: digest.endedWhy,
});

digestsAdmin.get("/:botId", async (c) => {
  const bot = botOf(c);
  if (bot instanceof Response) return bot;
  const digests = await digestsOf(c.env, bot.id).all();
  return c.json({
    bot: bot.id,
    enabled: bot.digests,
    live: digests.filter((digest) => digest.endedAt === null).length,
    bounds: { perPerson: MAX_PER_PERSON, perBot: MAX_PER_BOT, idleDays: IDLE_LIMIT_MS / 86_400_000 },
    digests: digests.map(show),
  });
});

digestsAdmin.delete("/:botId/:id", async (c) => {
  const bot = botOf(c);
  if (bot instanceof Response) return bot;
  const id = c.req.param("id");
  if (!/^\d+$/.test(id))
    return c.json({ error: `digest id "${id.slice(0, 20)}" must be a number, from GET /admin/digests/${bot.id}` }, 400);
  const ended = await digestsOf(c.env, bot.id).endByAdmin(Number(id));
  if (!ended) return c.json({ error: `bot "${bot.id}" has no live digest #${id}` }, 404);
  log("info", "admin.digest_ended", { bot: bot.id, room: ended.roomId, digest: ended.id });
  await recordAudit(c.env, bot.id, {
    kind: "digest.cancelled",
    actor: "admin",
    roomId: ended.roomId,
    userId: ended.owner.id,
    detail: { digest: ended.id },
  });
  return c.json({ ended: show(ended) });
});
