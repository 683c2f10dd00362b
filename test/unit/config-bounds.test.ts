import { describe, expect, it } from "vitest";
import { type ConfigEnv, loadConfig } from "../../src/config";
import { health } from "../../src/health";

/** A configuration with `extra` settings on the bot "agent", and `secrets` beside the usual ones. */
function withAgent(extra: Record<string, unknown>, secrets: Record<string, string> = {}) {
  const env = {
    CAMPFIRE_URL: "https://chat.example.com",
    SESSION_TTL: "",
    BOTS: { agent: { name: "Agent", ...extra } },
    ANTHROPIC_API_KEY: "sk-test",
    BOT_KEY_AGENT: "4-AgentKey1234",
    ...secrets,
  } as ConfigEnv;
  const config = loadConfig(env);
  return { bot: config.bots.get("agent"), problems: config.problems, env };
}

describe("who may use a bot", () => {
  it("is everyone, in every room, direct ones too, unless the bot says otherwise", () => {
    const { bot, problems } = withAgent({});
    expect(problems).toEqual([]);
    expect(bot!.access).toEqual({ rooms: null, blockRooms: [], users: null, blockUsers: [], directMessages: true });
  });

  it("reads the lists as written", () => {
    const { bot, problems } = withAgent({
      rooms: [3, 7],
      block_rooms: [9],
      users: [1, 2],
      block_users: [5],
      direct_messages: false,
    });
    expect(problems).toEqual([]);
    expect(bot!.access).toEqual({
      rooms: [3, 7],
      blockRooms: [9],
      users: [1, 2],
      blockUsers: [5],
      directMessages: false,
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      "a room both allowed and blocked",
      { rooms: [3, 7], block_rooms: [7] },
      /^BOTS\.agent\.block_rooms: room 7 is also in rooms; a block wins, so remove it from one of the lists$/,
    ],
    [
      "a person both allowed and blocked",
      { users: [1, 2], block_users: [1, 2] },
      /^BOTS\.agent\.block_users: people 1, 2 are also in users; a block wins, so remove them from one of the lists$/,
    ],
    [
      "an empty list of rooms",
      { rooms: [] },
      /^BOTS\.agent\.rooms: an empty list lets no room use the bot; list the ids it serves, or remove rooms to serve every room$/,
    ],
    ["a room id that is not a whole number", { rooms: [3.5] }, /^BOTS\.agent\.rooms\.0: must be whole numbers$/],
    [
      "a room id below 1",
      { block_rooms: [0] },
      /^BOTS\.agent\.block_rooms\.0: must be Campfire ids, which are positive$/,
    ],
    ["a user id written as text", { users: ["7"] }, /^BOTS\.agent\.users\.0/],
    ["direct_messages that is not true or false", { direct_messages: "no" }, /^BOTS\.agent\.direct_messages/],
  ])("refuses %s, saying what to fix", (_, extra, problem) => {
    expect(withAgent(extra).problems).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });
});

describe("a bot's fallback model", () => {
  it("is none unless set", () => {
    expect(withAgent({}).bot!.fallback).toBeNull();
  });

  it("uses the primary's endpoint and key unless it names its own", () => {
    const { bot, problems } = withAgent({ fallback: { model: "claude-haiku-4-5" } });
    expect(problems).toEqual([]);
    expect(bot!.fallback).toEqual({ model: "claude-haiku-4-5", baseUrl: undefined, apiKey: undefined });
  });

  it("reads its own endpoint, and its key from the secret it names", () => {
    const gateway = "https://gateway.ai.cloudflare.com/v1/acct/campfire/anthropic/";
    const { bot, problems } = withAgent(
      { fallback: { model: "claude-sonnet-5-5", base_url: gateway, key_secret: "ANTHROPIC_FALLBACK_KEY" } },
      { ANTHROPIC_FALLBACK_KEY: " sk-fallback " },
    );
    expect(problems).toEqual([]);
    expect(bot!.fallback).toEqual({
      model: "claude-sonnet-5-5",
      baseUrl: gateway.replace(/\/$/, ""),
      apiKey: "sk-fallback",
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ["one without a model", { fallback: { base_url: "https://gateway.example.com" } }, /^BOTS\.agent\.fallback\.model/],
    [
      "an endpoint that is not http(s)",
      { fallback: { model: "claude-haiku-4-5", base_url: "ftp://gateway.example.com" } },
      /^BOTS\.agent\.fallback\.base_url: must be an http\(s\) URL/,
    ],
    [
      "a key secret that is not a secret's name",
      { fallback: { model: "claude-haiku-4-5", key_secret: "my key" } },
      /^BOTS\.agent\.fallback\.key_secret: must be a secret's name/,
    ],
    [
      "a setting it does not have",
      { fallback: { model: "claude-haiku-4-5", retries: 3 } },
      /^BOTS\.agent\.fallback.*retries/,
    ],
  ])("refuses %s, saying what to fix", (_, extra, problem) => {
    expect(withAgent(extra).problems).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });

  it("is dropped, with a problem naming the secret to set, when its key's secret is not set", () => {
    const { bot, problems } = withAgent({
      fallback: { model: "claude-haiku-4-5", key_secret: "ANTHROPIC_FALLBACK_KEY" },
    });
    expect(bot!.fallback).toBeNull();
    expect(problems).toEqual([
      "BOTS.agent.fallback.key_secret: the secret ANTHROPIC_FALLBACK_KEY is not set, so the bot has no fallback; add it with `wrangler secret put ANTHROPIC_FALLBACK_KEY`",
    ]);
  });

  it("is dropped when it is the bot's own model through the same endpoint and key, which would fail as the bot does", () => {
    const { bot, problems } = withAgent({ model: "claude-sonnet-5-5", fallback: { model: "claude-sonnet-5-5" } });
    expect(bot!.fallback).toBeNull();
    expect(problems).toEqual([
      expect.stringMatching(/^BOTS\.agent\.fallback: it is the bot's own model through the same endpoint and key/),
    ]);
  });

  it("never shows its endpoint or key on the unauthenticated /health", async () => {
    const { env } = withAgent({
      fallback: {
        model: "claude-haiku-4-5",
        base_url: "gateway.ai.cloudflare.com/v1/0123456789abcdef/x",
        key_secret: "ANTHROPIC_FALLBACK_KEY",
      },
    });
    const shown = await (await health.request("/", {}, env as unknown as Env)).text();
    expect(shown).toContain("BOTS.agent.fallback.base_url");
    expect(shown).not.toContain("0123456789abcdef");
  });
});
