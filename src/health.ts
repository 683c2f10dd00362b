import { Hono } from "hono";
import pkg from "../package.json";
import { botReady, loadConfig } from "./config";

export const health = new Hono<{ Bindings: Env }>();

/** What is configured and what is missing, for an admin checking a deployment. Names settings, never values. */
health.get("/", (c) => {
  const config = loadConfig(c.env);
  const bots = [...config.bots.values()].map((bot) => ({
    id: bot.id,
    name: bot.name,
    model: bot.model,
    configured: botReady(config, bot),
  }));
  return c.json({
    service: pkg.name,
    version: pkg.version,
    ok: config.problems.length === 0,
    bots,
    problems: config.problems,
  });
});
