import { Hono } from "hono";
import { bearerKey, keysMatch } from "../auth";
import { type Config, loadConfig } from "../config";
import { billingFields } from "../conversation/meter";
import { conversationName, inboundMessage, legacyMessageId } from "../conversation/message";
import { log } from "../log";
import { reject } from "../reject";
import { escapeHtml } from "../campfire/render";
import { readBody } from "./body";
import { parsePayload } from "./payload";

export const webhook = new Hono<{ Bindings: Env }>();

/** Quoted input in a reason or a log line is cut short: a hostile path can be 900 KB. */
const quote = (text: string) => JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);

webhook.post("/:botId", async (c) => {
  const started = Date.now();
  const botId = c.req.param("botId");
  const config = loadConfig(c.env);
  const bot = config.bots.get(botId);
  const refuse = (status: number, reason: string) => {
    log("warn", "webhook.rejected", { bot: botId.slice(0, 64), status, reason });
    return reject(status, reason);
  };
  if (!bot) return refuse(404, `no bot ${quote(botId)} is configured here; check the webhook URL in Campfire (…/webhook/<bot id>)`);
  if (!config.campfireUrl) return refuse(503, "CAMPFIRE_URL is not set, so the bot cannot answer; set it in wrangler.toml [vars]");

  const body = await readBody(c.req.raw);
  if (!body.ok) return refuse(body.status, body.reason);
  let json: unknown;
  try {
    json = JSON.parse(body.text);
  } catch {
    return refuse(400, "the body is not JSON; Campfire sends its webhook payload as application/json");
  }
  const payload = parsePayload(json);
  if (!payload.ok) return refuse(400, payload.reason);
  if (payload.shape === "campfire" && !servedUnder(config, payload.basePath)) {
    return refuse(400, `Campfire is served under ${quote(payload.basePath)}: set CAMPFIRE_URL to its address including that path (e.g. https://chat.example.com${payload.basePath.slice(0, 64)})`);
  }

  const presented = payload.shape === "campfire" ? payload.key : bearerKey(c.req.header("authorization"));
  if (!bot.key) return refuse(401, `bot "${botId}" has no key yet: set the secret ${bot.keySecret} to the bot key Campfire shows`);
  if (!presented) return refuse(401, "no bot key: Campfire's room.path carries it, or send Authorization: Bearer <bot key>");
  if (!(await keysMatch(presented, bot.key))) return refuse(401, `the bot key does not match ${bot.keySecret}`);

  const raw = payload.message;
  const message = inboundMessage({ ...raw, messageId: raw.messageId ?? (await legacyMessageId(raw.roomId, raw.userId, raw.text)) });
  const fields = { bot: botId, room: message.roomId };
  if (message.text === "") {
    // A bare mention: answered at once in the webhook response (Campfire posts a 200 text/plain body as the bot's
    // rich-text message, so the name is escaped like everything else the bot says), no model call.
    log("info", "webhook.bare_mention", { ...fields, ms: Date.now() - started });
    const firstName = message.userName.split(" ")[0] || message.userName;
    return c.text(`Hi ${escapeHtml(firstName)}! Mention me with a question and I'll answer here.`);
  }

  try {
    const { outcome, billing } = await c.env.CONVERSATIONS.getByName(conversationName(message.roomId, botId)).receive(botId, message);
    log("info", "webhook.accepted", { ...fields, outcome, chars: message.text.length, ms: Date.now() - started, billing: billingFields(billing) });
  } catch (error) {
    log("error", "webhook.store_failed", { ...fields, error: (error as Error).message.slice(0, 300), ms: Date.now() - started });
    return reject(503, "the message could not be stored; please send it again");
  }
  // 204 with no Content-Type: Campfire posts nothing, and the answer follows through the bot API.
  return c.body(null, 204);
});

webhook.all("/:botId", (c) => {
  const response = reject(405, "use POST: this is a Campfire bot webhook");
  response.headers.set("allow", "POST");
  return response;
});

/** Whether CAMPFIRE_URL points at the (sub-)path this Campfire posts its room paths under. */
function servedUnder(config: Config, basePath: string): boolean {
  return basePath === "" || new URL(config.campfireUrl!).pathname.replace(/\/+$/, "") === basePath;
}
