import { describe, expect, it } from "vitest";
import { botKeySecretName, botReady, type ConfigEnv, loadConfig } from "../../src/config";
import { health } from "../../src/health";

const bots = { assistant: { name: "Assistant", system_prompt: "Be brief." } };

function env(overrides: Record<string, unknown> = {}): ConfigEnv {
  return {
    CAMPFIRE_URL: "https://chat.example.com/",
    SESSION_TTL: "",
    BOTS: bots,
    ANTHROPIC_API_KEY: "sk-test",
    BOT_KEY_ASSISTANT: "4-GZfqGLxdULBM",
    ...overrides,
  } as ConfigEnv;
}

describe("botKeySecretName", () => {
  it.each([
    ["assistant", "BOT_KEY_ASSISTANT"],
    ["help-desk", "BOT_KEY_HELP_DESK"],
    ["Ops_2", "BOT_KEY_OPS_2"],
  ])("names the secret for %s %s", (id, name) => {
    expect(botKeySecretName(id)).toBe(name);
  });
});

/** A bot with one Monday briefing, its schedule's fields and the bot's own as given. */
const briefing = (fields: Record<string, unknown>, bot: Record<string, unknown> = {}) => ({
  BOTS: {
    assistant: { name: "A", ...bot, schedules: [{ cron: "0 9 * * MON", room: 1, prompt: "Brief us.", ...fields }] },
  },
});

describe("loadConfig", () => {
  it("reads a complete configuration with defaults and no problems", () => {
    const config = loadConfig(env());
    expect(config.problems).toEqual([]);
    expect(config.campfireUrl).toBe("https://chat.example.com");
    expect(config.sessionTtlMs).toBe(24 * 3_600_000);
    const bot = config.bots.get("assistant")!;
    expect(bot).toMatchObject({
      name: "Assistant",
      systemPrompt: "Be brief.",
      maxTokens: 1024,
      key: "4-GZfqGLxdULBM",
      keySecret: "BOT_KEY_ASSISTANT",
    });
    expect(botReady(config, bot)).toBe(true);
  });

  it("prefers SESSION_TTL, falls back to SESSION_TTL_HOURS, and lets a bot set its own", () => {
    expect(loadConfig(env({ SESSION_TTL: "5m", SESSION_TTL_HOURS: "2" })).sessionTtlMs).toBe(300_000);
    expect(loadConfig(env({ SESSION_TTL_HOURS: "0.083" })).sessionTtlMs).toBe(298_800);
    const own = loadConfig(env({ BOTS: { assistant: { name: "A", session_ttl: "90s" } } }));
    expect(own.bots.get("assistant")!.sessionTtlMs).toBe(90_000);
  });

  it("accepts BOTS as a JSON string, as the dashboard sets it", () => {
    expect(loadConfig(env({ BOTS: JSON.stringify(bots) })).bots.has("assistant")).toBe(true);
  });

  it("keeps a bot without its key but says which secret to set, and the bot is not ready", () => {
    const config = loadConfig(env({ BOT_KEY_ASSISTANT: undefined }));
    const bot = config.bots.get("assistant")!;
    expect(bot.key).toBeUndefined();
    expect(botReady(config, bot)).toBe(false);
    expect(config.problems.join("\n")).toMatch(/BOT_KEY_ASSISTANT is not set.*wrangler secret put BOT_KEY_ASSISTANT/);
  });

  it.each([
    [{ CAMPFIRE_URL: undefined }, /CAMPFIRE_URL is not set/],
    [
      { CAMPFIRE_URL: "chat.example.com" },
      /CAMPFIRE_URL is not an http\(s\) URL \(it must start with https:\/\/ or http:\/\/\)/,
    ],
    [{ ANTHROPIC_API_KEY: "" }, /ANTHROPIC_API_KEY is not set/],
    [{ ANTHROPIC_BASE_URL: "ftp://gateway" }, /ANTHROPIC_BASE_URL .* not an http\(s\) URL/],
    [{ SESSION_TTL: "forever" }, /SESSION_TTL: "forever" is not a duration; write it like 90s/],
    [{ SESSION_TTL_HOURS: "lots" }, /SESSION_TTL_HOURS is "lots"/],
    [{ BOTS: "{not json" }, /BOTS is a string but not JSON/],
    [{ BOTS: undefined }, /BOTS is not set/],
    [{ BOTS: { "bad id!": { name: "X" } } }, /BOTS.bad id!: a bot id may hold only/],
    [{ BOTS: { assistant: { name: "A", max_tokens: "many" } } }, /BOTS.assistant.max_tokens/],
    [{ BOTS: { assistant: { name: "A", colour: "red" } } }, /BOTS.assistant.*colour/],
    [
      { BOTS: { assistant: { name: "A", schedules: [{ cron: "30 25 * * *", room: 1, prompt: "Brief us." }] } } },
      /BOTS.assistant.schedules.0.cron: In "30 25 \* \* \*", the hour field "25" must stay within 0–23/,
    ],
    [briefing({ sources: [3, 0] }), /BOTS.assistant.schedules.0.sources.1: must be Campfire ids, which are positive/],
    [
      briefing({ sources: Array.from({ length: 21 }, (_, i) => i + 1) }),
      /BOTS.assistant.schedules.0.sources: may list at most 20 rooms/,
    ],
    [briefing({ sources: [3, 7, 3] }), /BOTS.assistant.schedules.0.sources: must not list a room twice/],
    [
      briefing({ library: "Briefings" }),
      /BOTS.assistant.schedules.0.library: "briefings" is not a library this bot reads, so no one could ask it about what it kept there; add knowledge = \["briefings"\]/,
    ],
    [briefing({ keep: 10 }), /BOTS.assistant.schedules.0.keep: keeps past answers only in a library; add library =/],
    [
      briefing({ library: "briefings", keep: 501 }, { knowledge: ["briefings"] }),
      /BOTS.assistant.schedules.0.keep: must be at most 500/,
    ],
    [
      {
        BOTS: {
          assistant: {
            name: "A",
            schedules: [
              { cron: "0 9 * * MON", room: 1, prompt: "Brief us." },
              { cron: "0 9 * * MON", room: 1, prompt: "And the numbers." },
            ],
          },
        },
      },
      /BOTS.assistant.schedules.1: schedules.0 has the same cron and room, so only one of them would start a turn/,
    ],
  ])("reports %j clearly instead of crashing", (overrides, problem) => {
    const config = loadConfig(env(overrides));
    expect(config.problems.join("\n")).toMatch(problem);
  });

  it("reads a briefing's sources and library, keeping 60 past briefings unless it says", () => {
    const config = loadConfig(
      env(briefing({ sources: [1, 2, 3], library: "Briefings" }, { knowledge: ["briefings"] })),
    );
    expect(config.problems).toEqual([]);
    expect(config.bots.get("assistant")!.schedules).toEqual([
      { cron: "0 9 * * MON", roomId: 1, prompt: "Brief us.", sources: [1, 2, 3], library: "briefings", keep: 60 },
    ]);
  });

  it("never shows a malformed URL setting's value on the unauthenticated /health, only the setting and the rule", async () => {
    const gateway = "gateway.ai.cloudflare.com/v1/0123456789abcdef0123456789abcdef/campfire/anthropic";
    const response = await health.request(
      "/",
      {},
      env({ CAMPFIRE_URL: "chat.example.com/secret-path", ANTHROPIC_BASE_URL: gateway }) as unknown as Env,
    );
    const body = (await response.json()) as { ok: boolean; problems: string[] };
    expect(body.ok).toBe(false);
    expect(body.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^CAMPFIRE_URL is not an http\(s\) URL/),
        expect.stringMatching(/^ANTHROPIC_BASE_URL is not an http\(s\) URL/),
      ]),
    );
    const shown = JSON.stringify(body);
    expect(shown).not.toContain("0123456789abcdef");
    expect(shown).not.toContain("secret-path");
  });
});
