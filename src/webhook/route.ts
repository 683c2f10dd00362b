import { Hono } from "hono";
import { bearerKey, keysMatch } from "../auth";
import { type BotConfig, type Config, loadConfig } from "../config";
import { type KnownStatus, knownStatus, pausedSentence } from "../control/status";
import { billingFields } from "../conversation/meter";
import { conversationName, type InboundMessage, inboundMessage, legacyMessageId } from "../conversation/message";
import { log } from "../log";
import { reject } from "../reject";
import { escapeHtml } from "../campfire/render";
import { accessRule, askerOf, REFUSALS } from "./access";
import { readBody } from "./body";
import { type ParsedPayload, parsePayload } from "./payload";

export const webhook = new Hono<{ Bindings: Env }>();

type Payload = Extract<ParsedPayload, { ok: true }>;

/** Why a webhook is turned away: its status and a sentence saying what was wrong and how to fix it. */
class Refusal {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {}
}

/** Quoted input in a reason or a log line is cut short: a hostile path can be 900 KB. */
const quote = (text: string) => JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);

/**
 * A message from Campfire, in the steps of once-campfire's own `Webhook#deliver`: find the bot, read the payload,
 * check the key, check the bot serves this room and person, answer for a paused bot, hand the message to its
 * conversation, answer (204, or a refusal's sentence).
 */
webhook.post("/:botId", async (c) => {
  const started = Date.now();
  const botId = c.req.param("botId");
  const config = loadConfig(c.env);
  const refuse = ({ status, reason }: Refusal) => {
    log("warn", "webhook.rejected", { bot: botId.slice(0, 64), status, reason });
    return reject(status, reason);
  };
  const bot = findBot(config, botId);
  if (bot instanceof Refusal) return refuse(bot);
  const payload = await readPayload(c.req.raw, config);
  if (payload instanceof Refusal) return refuse(payload);
  const wrongKey = await checkKey(bot, payload, c.req.header("authorization"));
  if (wrongKey) return refuse(wrongKey);
  const notServed = checkAccess(bot, payload);
  if (notServed) return notServed;
  const control = await knownStatus(c.env, bot.id);
  if (control.status.paused) return pausedAnswer(bot, payload, started);
  const message = await messageOf(payload);
  if (message.text === "") return greet(botId, message, started);
  return handOver(c.env, botId, message, started, control);
});

webhook.all("/:botId", (c) => {
  const response = reject(405, "use POST: this is a Campfire bot webhook");
  response.headers.set("allow", "POST");
  return response;
});

function findBot(config: Config, botId: string): BotConfig | Refusal {
  const bot = config.bots.get(botId);
  if (!bot)
    return new Refusal(
      404,
      `no bot ${quote(botId)} is configured here; check the webhook URL in Campfire (…/webhook/<bot id>)`,
    );
  if (!config.campfireUrl)
    return new Refusal(503, "CAMPFIRE_URL is not set, so the bot cannot answer; set it in wrangler.toml [vars]");
  return bot;
}

async function readPayload(request: Request, config: Config): Promise<Payload | Refusal> {
  const body = await readBody(request);
  if (!body.ok) return new Refusal(body.status, body.reason);
  let json: unknown;
  try {
    json = JSON.parse(body.text);
  } catch {
    return new Refusal(400, "the body is not JSON; Campfire sends its webhook payload as application/json");
  }
  const payload = parsePayload(json);
  if (!payload.ok) return new Refusal(400, payload.reason);
  if (payload.shape === "campfire" && !servedUnder(config, payload.basePath)) {
    return new Refusal(
      400,
      `Campfire is served under ${quote(payload.basePath)}: set CAMPFIRE_URL to its address including that path (e.g. https://chat.example.com${payload.basePath.slice(0, 64)})`,
    );
  }
  return payload;
}

/** Campfire does not sign webhooks: the bot key in `room.path` (or a bearer key, for the flat payload) is the proof. */
async function checkKey(bot: BotConfig, payload: Payload, authorization: string | undefined): Promise<Refusal | null> {
  const presented = payload.shape === "campfire" ? payload.key : bearerKey(authorization);
  if (!bot.key)
    return new Refusal(
      401,
      `bot "${bot.id}" has no key yet: set the secret ${bot.keySecret} to the bot key Campfire shows`,
    );
  if (!presented)
    return new Refusal(401, "no bot key: Campfire's room.path carries it, or send Authorization: Bearer <bot key>");
  if (!(await keysMatch(presented, bot.key))) return new Refusal(401, `the bot key does not match ${bot.keySecret}`);
  return null;
}

/**
 * Whether the bot serves this room and person (after the key check, so a caller without the key learns nothing).
 * A refusal is a sentence in the response, which Campfire posts as the bot's message; no conversation is touched.
 */
function checkAccess(bot: BotConfig, payload: Payload): Response | null {
  const asker = askerOf(payload);
  const rule = accessRule(bot, asker);
  if (!rule) return null;
  log("info", "webhook.refused", { bot: bot.id, room: asker.roomId, user: asker.userId, rule });
  return new Response(REFUSALS[rule], { headers: { "content-type": "text/plain; charset=UTF-8" } });
}

async function messageOf({ message }: Payload): Promise<InboundMessage> {
  return inboundMessage({
    ...message,
    messageId: message.messageId ?? (await legacyMessageId(message.roomId, message.userId, message.text)),
  });
}

/**
 * The bot is paused (checked after the key, so a stranger learns nothing): one sentence in the webhook response,
 * which Campfire posts as the bot's message. No conversation is touched, no model asked, nothing stored.
 */
function pausedAnswer(bot: BotConfig, { message }: Payload, started: number): Response {
  log("info", "webhook.refused", { bot: bot.id, room: message.roomId, rule: "paused", ms: Date.now() - started });
  return new Response(escapeHtml(pausedSentence(bot.name)), {
    headers: { "content-type": "text/plain; charset=UTF-8" },
  });
}

/**
 * A bare mention: answered at once in the webhook response (Campfire posts a 200 text/plain body as the bot's
 * rich-text message, so the name is escaped like everything else the bot says), no model call.
 */
function greet(botId: string, message: InboundMessage, started: number): Response {
  log("info", "webhook.bare_mention", { bot: botId, room: message.roomId, ms: Date.now() - started });
  const firstName = message.userName.split(" ")[0] || message.userName;
  return new Response(`Hi ${escapeHtml(firstName)}! Mention me with a question and I'll answer here.`, {
    headers: { "content-type": "text/plain; charset=UTF-8" },
  });
}

/** Stores the message in its conversation, which answers through the bot API; 204 with no Content-Type posts nothing. */
async function handOver(
  env: Env,
  botId: string,
  message: InboundMessage,
  started: number,
  control: KnownStatus,
): Promise<Response> {
  const fields = { bot: botId, room: message.roomId };
  try {
    const { outcome, billing } = await env.CONVERSATIONS.getByName(conversationName(message.roomId, botId)).receive(
      botId,
      message,
      control,
    );
    log("info", "webhook.accepted", {
      ...fields,
      outcome,
      chars: message.text.length,
      ms: Date.now() - started,
      billing: billingFields(billing),
    });
  } catch (error) {
    log("error", "webhook.store_failed", {
      ...fields,
      error: (error as Error).message.slice(0, 300),
      ms: Date.now() - started,
    });
    return reject(503, "the message could not be stored; please send it again");
  }
  return new Response(null, { status: 204 });
}

/** Whether CAMPFIRE_URL points at the (sub-)path this Campfire posts its room paths under. */
function servedUnder(config: Config, basePath: string): boolean {
  return basePath === "" || new URL(config.campfireUrl!).pathname.replace(/\/+$/, "") === basePath;
}
