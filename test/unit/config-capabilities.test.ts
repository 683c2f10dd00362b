import { describe, expect, it } from "vitest";
import { type ConfigEnv, loadConfig } from "../../src/config";

/** A configuration with `extra` settings on the bot "agent", and a second bot "expert" it may consult. */
function withAgent(extra: Record<string, unknown>) {
  const bots = {
    agent: { name: "Agent", ...extra },
    expert: { name: "Expert", system_prompt: "You know everything about tea." },
  };
  const config = loadConfig({
    CAMPFIRE_URL: "https://chat.example.com",
    SESSION_TTL: "",
    BOTS: bots,
    ANTHROPIC_API_KEY: "sk-test",
    BOT_KEY_AGENT: "4-AgentKey1234",
    BOT_KEY_EXPERT: "5-ExpertKey123",
  } as ConfigEnv);
  return { bot: config.bots.get("agent"), problems: config.problems };
}

describe("the agent capabilities' settings", () => {
  it("are all off by default, except the 👀 boost", () => {
    const { bot, problems } = withAgent({});
    expect(problems).toEqual([]);
    expect(bot).toMatchObject({
      knowledge: { read: [], write: [] },
      memoryTtlMs: null,
      consult: [],
      thinking: null,
      codeExecution: false,
      skills: [],
      ackBoost: "👀",
      digests: false,
    });
    expect(withAgent({ digests: true }).bot!.digests).toBe(true);
  });

  it("read every capability as written", () => {
    const { bot, problems } = withAgent({
      knowledge: ["handbook"],
      knowledge_write: ["notes"],
      memory: true,
      memory_ttl: "30d",
      consult: ["expert"],
      thinking: { budget_tokens: 2000 },
      max_tokens: 4000,
      code_execution: true,
      skills: ["xlsx", "skill_01AbC"],
      ack_boost: "",
    });
    expect(problems).toEqual([]);
    expect(bot).toMatchObject({
      knowledge: { read: ["handbook", "notes"], write: ["notes"] },
      memoryTtlMs: 30 * 86_400_000,
      consult: ["expert"],
      thinking: { type: "enabled", budget_tokens: 2000 },
      codeExecution: true,
      skills: ["xlsx", "skill_01AbC"],
      ackBoost: "",
    });
    expect(withAgent({ memory: true }).bot!.memoryTtlMs).toBe(90 * 86_400_000);
    expect(withAgent({ thinking: "adaptive" }).bot!.thinking).toEqual({ type: "adaptive" });
  });

  it("name libraries in lower case, as the admin API stores them, so Handbook is the library handbook", () => {
    const { bot, problems } = withAgent({ knowledge: ["Handbook", "handbook"], knowledge_write: ["NOTES"] });
    expect(problems).toEqual([]);
    expect(bot).toMatchObject({ knowledge: { read: ["handbook", "notes"], write: ["notes"] } });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ["skills without code execution", { skills: ["xlsx"] }, /BOTS\.agent\.skills: .*add code_execution = true/],
    [
      "a thinking budget not below max_tokens",
      { thinking: { budget_tokens: 2048 }, max_tokens: 2048 },
      /thinking\.budget_tokens: must be less than max_tokens \(2048\)/,
    ],
    [
      "a thinking budget under 1024",
      { thinking: { budget_tokens: 100 }, max_tokens: 4000 },
      /thinking\.budget_tokens: must be at least 1024/,
    ],
    ["thinking that is neither a budget nor adaptive", { thinking: "lots" }, /BOTS\.agent\.thinking/],
    ["consulting a bot that does not exist", { consult: ["oracle"] }, /consult: "oracle" is not a bot in BOTS/],
    ["consulting itself", { consult: ["agent"] }, /consult: "agent" is the bot itself/],
    ["a library name with a slash", { knowledge: ["hand/book"] }, /knowledge\.0: must be a library name/],
    [
      "a memory_ttl that is no duration",
      { memory: true, memory_ttl: "forever" },
      /memory_ttl: "forever" is not a duration/,
    ],
    ["a long ack_boost", { ack_boost: "a whole sentence of a boost" }, /ack_boost: must be one emoji or a short word/],
    ["memory that is not true or false", { memory: "yes" }, /BOTS\.agent\.memory/],
    [
      "digests that are not true or false",
      { digests: "daily" },
      /BOTS\.agent\.digests: must be true \(people may subscribe to digests of a room\) or false/,
    ],
    [
      "a digest tool listed in tools",
      { tools: ["subscribe_digest"] },
      /BOTS\.agent\.tools: "subscribe_digest" comes with digests = true/,
    ],
  ])("refuse %s, saying what to fix", (_, extra, problem) => {
    expect(withAgent(extra).problems).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });
});
