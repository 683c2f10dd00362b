import { describe, expect, it } from "vitest";
import { type ConfigEnv, loadConfig } from "../../src/config";
import type { Model, ModelRequest } from "../../src/conversation/model";
import { runModelLoop } from "../../src/conversation/model-loop";
import type { TurnToolContext } from "../../src/conversation/toolbox";

/** The requests a bot with `settings` sends the model for one question. */
async function requestsOf(settings: Record<string, unknown>): Promise<ModelRequest[]> {
  const bot = loadConfig({
    CAMPFIRE_URL: "https://chat.example.com",
    SESSION_TTL: "",
    BOTS: { agent: { name: "Agent", ...settings } },
    ANTHROPIC_API_KEY: "sk-test",
    BOT_KEY_AGENT: "4-AgentKey1234",
  } as ConfigEnv).bots.get("agent")!;
  const asked: ModelRequest[] = [];
  const model: Model = {
    async ask(request) {
      asked.push(structuredClone(request));
      return {
        text: "hello",
        stopReason: "end_turn",
        usage: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 },
        content: [],
        containerId: null,
      };
    },
  };
  await runModelLoop({
    model,
    bot,
    system: [{ type: "text", text: "Be brief." }],
    messages: [{ role: "user", content: "hi" }],
    tools: [],
    toolbox: new Map(),
    toolContext: {} as TurnToolContext,
    onText: () => {},
    signal: new AbortController().signal,
    onAsk: () => {},
  });
  return asked;
}

describe("a bot's temperature in its requests", () => {
  it("is sent as set", async () => {
    expect((await requestsOf({ temperature: 0.3 })).map((request) => request.temperature)).toEqual([0.3]);
    expect((await requestsOf({ temperature: 0 }))[0]).toHaveProperty("temperature", 0);
  });

  it("is left out when not set, so the API's default applies", async () => {
    expect((await requestsOf({}))[0]).not.toHaveProperty("temperature");
  });
});
