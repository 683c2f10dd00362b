import { type Context, Hono } from "hono";
import type { ZodError } from "zod";
import { type BotConfig, loadConfig } from "../config";
import { budgetLimits, budgetSchema } from "../config/budget";
import { log } from "../log";
import { AUDIT_MAX_AGE_MS, AUDIT_MAX_ENTRIES, type AuditRecord } from "./audit";
import { parseAuditQuery } from "./audit-query";
import { budgetEntry } from "./budget-entry";
import type { ControlChange, ControlView } from "./control-object";
import { adoptStatus, CONTROL_CACHE_MS, controlOf, pausedSentence } from "./status";

type AppEnv = { Bindings: Env };

/**
 * Operators' switch and budget for each bot, mounted at /admin/bots behind ADMIN_TOKEN: pause, resume, see, and
 * override the budget at runtime. A change is seen at once by the isolate that made it, by all within CONTROL_CACHE_MS.
 */
export const botsAdmin = new Hono<AppEnv>();

/** The bot named by the URL, or the 404 saying there is none. */
export function botOf(c: Context<AppEnv>): BotConfig | Response {
  const botId = c.req.param("botId") ?? "";
  const { bots } = loadConfig(c.env);
  return (
    bots.get(botId) ??
    c.json({ error: `no bot "${botId.slice(0, 64)}" is configured; the bots are ${[...bots.keys()].join(", ")}` }, 404)
  );
}

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const seconds = `${CONTROL_CACHE_MS / 1000} s`;

function describe(bot: BotConfig, view: ControlView) {
  const configured = bot.budget;
  const effective = view.budget ?? configured;
  return {
    bot: bot.id,
    paused: view.paused,
    pausedSince: iso(view.changedAt),
    pausedBy: view.paused ? "admin" : null,
    budget: {
      configured: configured && budgetEntry(configured),
      override: view.budget && budgetEntry(view.budget),
      overrideSetAt: iso(view.budgetSetAt),
      effective: effective && budgetEntry(effective),
      source: view.budget
        ? "runtime override (until DELETE /admin/bots/<id>/budget)"
        : configured
          ? "wrangler.toml"
          : "none",
    },
  };
}

/** Answers a change, after making it this isolate's truth at once. */
function answer(c: Context<AppEnv>, bot: BotConfig, { changed, view }: ControlChange, note: string) {
  adoptStatus(bot.id, {
    status: { paused: view.paused, changedAt: view.changedAt, budget: view.budget },
    at: Date.now(),
  });
  return c.json({ ...describe(bot, view), changed, note });
}

botsAdmin.get("/:botId", async (c) => {
  const bot = botOf(c);
  if (bot instanceof Response) return bot;
  return c.json(describe(bot, await controlOf(c.env, bot.id).status()));
});

botsAdmin.post("/:botId/pause", async (c) => {
  const bot = botOf(c);
  if (bot instanceof Response) return bot;
  const change = await controlOf(c.env, bot.id).pause();
  log("info", "admin.bot_paused", { bot: bot.id, changed: change.changed });
  const note = change.changed
    ? `Paused. Within ${seconds} every message to ${bot.name} is answered "${pausedSentence(bot.name)}", no turn starts, and no scheduled turn or reminder is posted; a turn already running finishes.`
    : `Already paused since ${iso(change.view.changedAt)}; nothing changed.`;
  return answer(c, bot, change, note);
});

botsAdmin.post("/:botId/resume", async (c) => {
  const bot = botOf(c);
  if (bot instanceof Response) return bot;
  const change = await controlOf(c.env, bot.id).resume();
  log("info", "admin.bot_resumed", { bot: bot.id, changed: change.changed });
  const note = change.changed
    ? `Resumed: within ${seconds} ${bot.name} answers again, and reminders that came due meanwhile are posted.`
    : "Not paused; nothing changed.";
  return answer(c, bot, change, note);
});

botsAdmin.put("/:botId/budget", async (c) => {
  const bot = botOf(c);
  if (bot instanceof Response) return bot;
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return c.json(
      {
        error: 'the body is not JSON; send the limits in US dollars, e.g. {"daily_usd": 20, "per_person_daily_usd": 2}',
      },
      400,
    );
  }
  const parsed = budgetSchema.safeParse(body);
  if (!parsed.success) return c.json({ error: `the budget was not changed: ${budgetProblems(parsed.error)}` }, 400);
  const limits = budgetLimits(parsed.data);
  if (!limits)
    return c.json(
      {
        error: `the budget was not changed: send at least one limit; to go back to wrangler.toml's budget, DELETE /admin/bots/${bot.id}/budget`,
      },
      400,
    );
  const change = await controlOf(c.env, bot.id).setBudget(limits);
  log("info", "admin.budget_set", { bot: bot.id });
  return answer(
    c,
    bot,
    change,
    `This budget overrides wrangler.toml's within ${seconds}, until DELETE /admin/bots/${bot.id}/budget clears it.`,
  );
});

botsAdmin.delete("/:botId/budget", async (c) => {
  const bot = botOf(c);
  if (bot instanceof Response) return bot;
  const change = await controlOf(c.env, bot.id).clearBudget();
  log("info", "admin.budget_cleared", { bot: bot.id, changed: change.changed });
  return answer(
    c,
    bot,
    change,
    change.changed
      ? `Cleared: within ${seconds} wrangler.toml's budget applies again.`
      : "There was no runtime budget; nothing changed.",
  );
});

function budgetProblems(error: ZodError): string {
  return error.issues
    .map((issue) => {
      if (issue.code === "unrecognized_keys")
        return `there is no limit ${issue.keys.map((key) => `"${key.slice(0, 40)}"`).join(", ")}; the limits are daily_usd, monthly_usd, per_person_daily_usd, per_room_daily_usd`;
      return issue.path.length
        ? `${issue.path.join(".")} ${issue.message}`
        : `send a JSON object of limits (${issue.message})`;
    })
    .join("; ");
}

/** The audit log, mounted at /admin/audit behind ADMIN_TOKEN: newest first, one bot's or every bot's. */
export const auditAdmin = new Hono<AppEnv>();

auditAdmin.get("/", async (c) => {
  const query = parseAuditQuery(c.req.query());
  if ("error" in query) return c.json({ error: query.error }, 400);
  const bots = [...loadConfig(c.env).bots.keys()];
  if (query.bot !== undefined && !bots.includes(query.bot))
    return c.json({ error: `no bot "${query.bot.slice(0, 64)}" is configured; the bots are ${bots.join(", ")}` }, 404);
  const { filter } = query;
  // One more than asked shows whether there are more.
  const logs = await Promise.all(
    (query.bot === undefined ? bots : [query.bot]).map(async (bot) =>
      (await controlOf(c.env, bot).entries({ ...filter, limit: filter.limit + 1 })).map((entry) => ({ bot, entry })),
    ),
  );
  const newest = logs.flat().sort((a, b) => b.entry.at - a.entry.at || b.entry.id - a.entry.id);
  return c.json({
    entries: newest.slice(0, filter.limit).map(({ bot, entry }) => show(bot, entry)),
    more: newest.length > filter.limit,
    kept: { entries: AUDIT_MAX_ENTRIES, days: AUDIT_MAX_AGE_MS / 86_400_000 },
  });
});

export function show(bot: string, { at, kind, actor, roomId, userId, detail }: AuditRecord) {
  return {
    bot,
    at: new Date(at).toISOString(),
    kind,
    by: actor,
    room: roomId ?? null,
    about: userId ?? null,
    detail: detail ?? {},
  };
}
