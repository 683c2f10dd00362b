import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { admin } from "../../src/admin";
import { ADMIN_TOKEN, adminGet, campfirePayload, fakeCampfire, newRoomId, postWebhook } from "./helpers";

interface Point {
  at: string;
  turns: number;
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number };
  cacheReadShare: number | null;
  claudeUsd: number;
  cloudflareUsd: number;
  failures: Record<string, number>;
  alive: number;
}

interface BotView {
  id: string;
  alerts: string[];
  alive: number;
  paused: boolean;
  totals: Record<string, unknown> & { turns: number; claudeUsd: number; cloudflareUsd: number };
  hourly: Point[];
  daily: (Point & { day: string })[];
  budget: {
    source: string | null;
    limits: Record<string, number> | null;
    spent: { kind: string; limitUsd: number; committedUsd: number; share: number | null }[];
  };
  capabilities: {
    tools: string[];
    memory: boolean;
    tasks: boolean;
    digests: boolean;
    catchUp: boolean;
    schedules: {
      cron: string;
      roomId: number;
      sources: number[];
      library: string | null;
      nextRunAt: string | null;
      nextRunLocal: string | null;
    }[];
  };
  audit: { kind: string; at: string }[];
}

interface ConsoleData {
  alerts: string[];
  total: { alive: number; hourly: Point[]; daily: Point[] };
  bots: BotView[];
}

const consoleData = () => adminGet<ConsoleData>("/admin/console");
const botIn = (data: ConsoleData, id: string) => data.bots.find((bot) => bot.id === id)!;
const operator = (method: string, path: string, body?: unknown) =>
  exports.default.fetch(`https://bot.example${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("GET /admin/console", () => {
  // The first view in a fresh test storage makes every bot's shard objects (16 each): the tests time the others.
  beforeAll(() => consoleData(), 60_000);

  it("does not exist unless ADMIN_TOKEN is set", async () => {
    expect((await admin.request("/console", {}, { ...env, ADMIN_TOKEN: undefined })).status).toBe(404);
  });

  it.each([undefined, "Bearer wrong-token"])("refuses the authorization %s with 401", async (authorization) => {
    const headers: Record<string, string> = authorization ? { authorization } : {};
    const response = await exports.default.fetch("https://bot.example/admin/console", { headers });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain("ADMIN_TOKEN");
  });

  it("charts every bot's last 24 hours and 14 days, every point present, a new turn in the last of each", async () => {
    const before = botIn(await consoleData(), "assistant");
    const roomId = newRoomId();
    await postWebhook(campfirePayload({ roomId, text: "console figures" }));
    await fakeCampfire.waitForMessages(roomId, 1);
    await expect
      .poll(async () => botIn(await consoleData(), "assistant").hourly.at(-1)!.turns)
      .toBe(before.hourly.at(-1)!.turns + 1);
    const data = await consoleData();
    const now = Date.now();
    for (const series of [...data.bots.flatMap((bot) => [bot.hourly, bot.daily]), data.total.hourly]) {
      for (const point of series)
        expect(Object.keys(point)).toEqual(expect.arrayContaining(Object.keys(before.hourly[0]!)));
    }
    for (const bot of data.bots) {
      expect(bot.hourly).toHaveLength(24);
      expect(bot.daily).toHaveLength(14);
      const hours = bot.hourly.map((point) => Date.parse(point.at));
      expect(hours.slice(1).map((at, i) => at - hours[i]!)).toEqual(Array(23).fill(3_600_000));
      expect(now - hours.at(-1)!).toBeLessThan(3_600_000);
    }
    const assistant = botIn(data, "assistant");
    expect(assistant.daily.at(-1)!.turns).toBe(before.daily.at(-1)!.turns + 1);
    expect(assistant.hourly.at(-1)!.tokens.output).toBeGreaterThan(before.hourly.at(-1)!.tokens.output);
    expect(assistant.hourly.at(-1)!.cloudflareUsd).toBeGreaterThan(before.hourly.at(-1)!.cloudflareUsd);
    expect(assistant.alive).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it("shows the same totals as /metrics/usage, from the same registry", async () => {
    const roomId = newRoomId();
    await postWebhook(campfirePayload({ roomId, text: "console totals" }));
    await fakeCampfire.waitForMessages(roomId, 1);
    await expect
      .poll(async () => {
        const [console, usage] = await Promise.all([
          consoleData(),
          adminGet<{ bots: Record<string, Record<string, unknown>> }>("/metrics/usage"),
        ]);
        const { evictions: _, ...totals } = botIn(console, "assistant").totals;
        return { same: totals, turned: totals.turns as number, usage: usage.bots.assistant };
      })
      .toSatisfy(({ same, turned, usage }) => turned > 0 && JSON.stringify(same) === JSON.stringify(usage));
  });

  it("tells a schedule's next run, on UTC clocks as Cloudflare fires Cron Triggers and on the bot's clock", async () => {
    const now = Date.now();
    const [schedule] = botIn(await consoleData(), "butler").capabilities.schedules;
    expect(schedule).toMatchObject({ cron: "30 8 * * MON-FRI", roomId: 4242 });
    const next = new Date(schedule!.nextRunAt!);
    expect(next.getTime()).toBeGreaterThan(now);
    expect(next.getTime() - now).toBeLessThanOrEqual(3 * 86_400_000);
    // Monday to Friday: Cloudflare's weekdays are 1–7 from Sunday.
    expect([1, 2, 3, 4, 5]).toContain(next.getUTCDay());
    expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([8, 30]);
    expect(schedule!.nextRunLocal).toMatch(/(09|10):30 \(Europe\/Berlin\)$/);
  });

  it("says which bots take digest subscriptions, keep task lists, catch people up, and what a briefing reads", async () => {
    const data = await consoleData();
    const can = (id: string) => botIn(data, id).capabilities;
    expect(can("digester")).toMatchObject({ digests: true, tasks: false, catchUp: false });
    expect(can("tasker")).toMatchObject({ digests: false, tasks: true, memory: true, catchUp: false });
    expect(can("butler")).toMatchObject({ digests: false, tasks: false, catchUp: true });
    expect(can("assistant")).toMatchObject({ digests: false, tasks: false, catchUp: false });
    expect(can("briefer").schedules).toEqual([
      expect.objectContaining({ roomId: 4501, sources: [4502, 4503, 4504, 4505], library: "briefings-test" }),
    ]);
    // A plain scheduled turn reads no other room and keeps no answers.
    expect(can("butler").schedules).toEqual([expect.objectContaining({ sources: [], library: null })]);
  });

  it("says where a budget comes from, what is spent of it, and alerts a paused bot, as the audit log shows", async () => {
    const shown = () => botIn(botView, "budget_monthly");
    let botView = await consoleData();
    expect(shown().budget).toMatchObject({ source: "wrangler.toml", limits: { monthly_usd: 1 } });
    expect(shown().budget.spent.map((spent) => [spent.kind, spent.limitUsd])).toEqual([["monthly", 1]]);
    expect((await operator("PUT", "/admin/bots/budget_monthly/budget", { daily_usd: 2 })).status).toBe(200);
    expect((await operator("POST", "/admin/bots/budget_monthly/pause")).status).toBe(200);
    try {
      botView = await consoleData();
      expect(shown().budget).toMatchObject({ source: "runtime override", limits: { daily_usd: 2 } });
      expect(shown().budget.spent.map((spent) => [spent.kind, spent.limitUsd])).toEqual([["daily", 2]]);
      expect(shown().paused).toBe(true);
      expect(shown().alerts).toEqual([expect.stringMatching(/^Monthly is paused \(since /)]);
      expect(botView.alerts).toContain(shown().alerts[0]);
      expect(
        shown()
          .audit.map((entry) => entry.kind)
          .slice(0, 2),
      ).toEqual(["bot.paused", "budget.set"]);
    } finally {
      await operator("POST", "/admin/bots/budget_monthly/resume");
      await operator("DELETE", "/admin/bots/budget_monthly/budget");
    }
  });
});
