import { Hono } from "hono";
import { budgetObject } from "../budget/access";
import { type BotConfig, botReady, type Config, loadConfig } from "../config";
import type { BudgetLimits } from "../config/budget";
import { show as showAudit } from "../control/admin";
import { budgetEntry } from "../control/budget-entry";
import { controlOf } from "../control/status";
import { nextFire, parseCron } from "../cron";
import { HOUR_MS, type HourFigures, KEEP_HOURS } from "../registry/registry";
import { botOverview, sumHours, sumSummaries } from "../registry/shards";
import { formatWhen } from "../tools/when";
import { dailyPoints, failingAboveNormal, hourlyPoints, usageFigures } from "./figures";

type AppEnv = { Bindings: Env };

/** A budget this far spent is shown as nearly spent, as the 80 % notice in the room says. */
const NEARLY = 0.8;
const AUDIT_SHOWN = 20;
const TOP_SHOWN = 5;

/**
 * Each schedule with when its Cron Trigger fires next: read on UTC clocks, as Cloudflare fires Cron Triggers, and
 * shown on the bot's clock too. A cron the configuration refused (see /health) has none. A briefing says which rooms
 * it reads and the library its answers are kept in.
 */
function schedulesOf(bot: BotConfig, now: number) {
  return bot.schedules.map(({ cron, roomId, sources, library }) => {
    const parsed = parseCron(cron);
    const at = "error" in parsed ? null : nextFire(parsed, now, "UTC");
    return {
      cron,
      roomId,
      sources,
      library,
      nextRunAt: at === null ? null : new Date(at).toISOString(),
      nextRunLocal: at === null ? null : formatWhen(at, bot.timeZone),
    };
  });
}

/** What the bot spent today and this month against its limits, and who and where spent most today. */
async function budgetOf(env: Env, bot: BotConfig, limits: BudgetLimits | null, overridden: boolean, now: number) {
  if (!limits) return { source: null, limits: null, spent: [], top: { people: [], rooms: [] } };
  const { counters, top } = await budgetObject(env, bot.id).spending(
    { limits, timeZone: bot.timeZone, now },
    TOP_SHOWN,
  );
  const topOf = (scope: "person" | "room", limitUsd: number | undefined) =>
    top
      .filter((entry) => entry.scope === scope)
      .map(({ id, committedUsd }) => ({ id: Number(id), committedUsd, limitUsd: limitUsd ?? null }));
  return {
    source: overridden ? "runtime override" : "wrangler.toml",
    limits: budgetEntry(limits),
    spent: counters.map(({ kind, period, limitUsd, committedUsd, endsAt }) => ({
      kind,
      period,
      limitUsd,
      committedUsd,
      share: limitUsd > 0 ? committedUsd / limitUsd : null,
      resetsAt: new Date(endsAt).toISOString(),
    })),
    top: { people: topOf("person", limits.perPersonDailyUsd), rooms: topOf("room", limits.perRoomDailyUsd) },
  };
}

/**
 * One bot's page: a request to each registry shard, one to its control object and, under a budget, one to its
 * budget object — whatever the traffic.
 */
async function botView(env: Env, config: Config, bot: BotConfig, now: number) {
  const since = now - (now % HOUR_MS) - (KEEP_HOURS - 1) * HOUR_MS;
  const [{ summary, hours }, { view, audit }] = await Promise.all([
    botOverview(env, bot.id, since),
    controlOf(env, bot.id).overview(AUDIT_SHOWN),
  ]);
  const budget = await budgetOf(env, bot, view.budget ?? bot.budget, view.budget !== null, now);
  const configured = botReady(config, bot);
  const alerts = config.problems.filter((problem) => problem.startsWith(`BOTS.${bot.id}.`));
  if (!configured) alerts.push(`${bot.name} answers no one: its Campfire URL, Anthropic key or bot key is missing.`);
  if (view.paused) alerts.push(`${bot.name} is paused (since ${new Date(view.changedAt!).toISOString()}).`);
  for (const { kind, limitUsd, share } of budget.spent) {
    if (share !== null && share >= 1) alerts.push(`${bot.name}'s ${kind} budget of $${limitUsd} is spent.`);
    else if (share !== null && share >= NEARLY)
      alerts.push(`${bot.name}'s ${kind} budget of $${limitUsd} is ${Math.round(share * 100)} % spent.`);
  }
  const failing = failingAboveNormal(bot.name, hours, now);
  if (failing) alerts.push(failing);
  return {
    summary,
    hours,
    view: {
      id: bot.id,
      name: bot.name,
      model: bot.model,
      timeZone: bot.timeZone,
      configured,
      paused: view.paused,
      pausedSince: view.changedAt === null ? null : new Date(view.changedAt).toISOString(),
      alerts,
      alive: summary.alive,
      totals: { ...usageFigures(summary), evictions: summary.evictions },
      hourly: hourlyPoints(hours, now),
      daily: dailyPoints(hours, now, bot.timeZone),
      budget,
      capabilities: {
        tools: bot.tools,
        webSearch: bot.webSearchMaxUses !== undefined,
        webFetch: bot.webFetchMaxUses !== undefined,
        mcpServers: bot.mcpServers.map((server) => server.name),
        knowledge: bot.knowledge,
        memory: bot.memoryTtlMs !== null,
        tasks: bot.tasks,
        digests: bot.digests,
        catchUp: bot.tools.includes("room_history"),
        consult: bot.consult,
        codeExecution: bot.codeExecution,
        fallbackModel: bot.fallback?.model ?? null,
        schedules: schedulesOf(bot, now),
      },
      audit: audit.map((entry) => showAudit(bot.id, entry)),
    },
  };
}

/** The operator's console's figures, at /admin/console behind ADMIN_TOKEN (README: "The operator's console"). */
export const consoleData = new Hono<AppEnv>();

consoleData.get("/", async (c) => {
  const config = loadConfig(c.env);
  const now = Date.now();
  const bots = await Promise.all([...config.bots.values()].map((bot) => botView(c.env, config, bot, now)));
  const hours: HourFigures[] = sumHours(bots.map((bot) => bot.hours));
  return c.json({
    generatedAt: new Date(now).toISOString(),
    // Problems that name no bot concern them all.
    alerts: [
      ...config.problems.filter((problem) => !bots.some((bot) => problem.startsWith(`BOTS.${bot.view.id}.`))),
      ...bots.flatMap((bot) => bot.view.alerts),
    ],
    total: {
      alive: bots.reduce((sum, bot) => sum + bot.view.alive, 0),
      totals: usageFigures(sumSummaries(bots.map((bot) => bot.summary))),
      hourly: hourlyPoints(hours, now),
      daily: dailyPoints(hours, now, "UTC"),
    },
    bots: bots.map((bot) => bot.view),
  });
});
