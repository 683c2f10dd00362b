import { Hono, type MiddlewareHandler } from "hono";
import { bearerKey, keysMatch } from "./auth";
import { loadConfig } from "./config";
import { usageFigures } from "./console/figures";
import { consoleData } from "./console/route";
import { auditAdmin, botsAdmin } from "./control/admin";
import { recordAudit } from "./control/audit";
import { conversationName } from "./conversation/message";
import { digestsAdmin } from "./digests/admin";
import { knowledgeAdmin } from "./knowledge/admin";
import { log } from "./log";
import { memoryAdmin } from "./memory/admin";
import type { SessionSummary } from "./registry/registry";
import { summarizeBot } from "./registry/shards";

type AppEnv = { Bindings: Env };

/** Operator endpoints exist only when ADMIN_TOKEN is set, and then only for a caller presenting it. */
const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { adminToken } = loadConfig(c.env);
  if (!adminToken) return c.notFound();
  const presented = bearerKey(c.req.header("authorization"));
  if (!presented || !(await keysMatch(presented, adminToken))) {
    return c.json({ error: "send Authorization: Bearer <ADMIN_TOKEN>" }, 401);
  }
  await next();
};

async function summaries(env: Env): Promise<[string, SessionSummary][]> {
  const ids = [...loadConfig(env).bots.keys()];
  return Promise.all(ids.map(async (id) => [id, await summarizeBot(env, id)] as [string, SessionSummary]));
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const metrics = new Hono<AppEnv>();
metrics.use(requireAdmin);

metrics.get("/sessions", async (c) => {
  const bots = Object.fromEntries(
    (await summaries(c.env)).map(([id, s]) => [
      id,
      {
        alive: s.alive,
        oldestActivity: iso(s.oldestActivityAt),
        newestActivity: iso(s.newestActivityAt),
        turns: s.turns,
        waiting: s.waiting,
        retrying: s.retrying,
        evictions: s.evictions,
      },
    ]),
  );
  return c.json({ generatedAt: new Date().toISOString(), bots });
});

metrics.get("/usage", async (c) => {
  // Figures of live conversations are at most a minute old (src/objects/report.ts): the console shows the same.
  const bots = Object.fromEntries((await summaries(c.env)).map(([id, s]) => [id, usageFigures(s)]));
  return c.json({ generatedAt: new Date().toISOString(), bots });
});

export const admin = new Hono<AppEnv>();
admin.use(requireAdmin);
admin.route("/memory", memoryAdmin);

admin.delete("/sessions/:botId/:roomId", async (c) => {
  const { botId, roomId } = c.req.param();
  if (!loadConfig(c.env).bots.has(botId)) return c.json({ error: `no bot "${botId}" is configured` }, 404);
  if (!/^\d+$/.test(roomId)) return c.json({ error: `room id "${roomId}" must be a number` }, 400);
  const ended = await c.env.CONVERSATIONS.getByName(conversationName(Number(roomId), botId)).end();
  log("info", "admin.session_ended", { bot: botId, room: Number(roomId), ended });
  if (ended) await recordAudit(c.env, botId, { kind: "conversation.ended", actor: "admin", roomId: Number(roomId) });
  return c.json({ ended });
});

admin.route("/knowledge", knowledgeAdmin);
admin.route("/bots", botsAdmin);
admin.route("/audit", auditAdmin);
admin.route("/digests", digestsAdmin);
admin.route("/console", consoleData);
