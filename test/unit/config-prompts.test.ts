import { describe, expect, it } from "vitest";
import { type ConfigEnv, loadConfig } from "../../src/config";
import { PROMPT_FILES } from "../../src/config/prompt-files";
import { systemPrompt } from "../../src/conversation/prompt";
import { toolbox } from "../../src/conversation/toolbox";

/** A configuration whose only bot, "agent", has `extra` settings. */
function withAgent(extra: Record<string, unknown>) {
  const config = loadConfig({
    CAMPFIRE_URL: "https://chat.example.com",
    SESSION_TTL: "",
    BOTS: { agent: { name: "Agent", ...extra } },
    ANTHROPIC_API_KEY: "sk-test",
    BOT_KEY_AGENT: "4-AgentKey1234",
  } as ConfigEnv);
  return { bot: config.bots.get("agent")!, problems: config.problems };
}

describe("system_prompt_file", () => {
  it("is the bundled Markdown file's text, however the path is written", () => {
    for (const path of ["prompts/assistant.md", "./prompts/assistant.md"]) {
      const { bot, problems } = withAgent({ system_prompt_file: path });
      expect(problems).toEqual([]);
      expect(bot.systemPrompt).toBe(PROMPT_FILES["prompts/assistant.md"]);
    }
    expect(PROMPT_FILES["prompts/assistant.md"]).toMatch(/handbook/);
  });

  it("refuses a file that is not bundled, naming it, the bundled ones and how to bundle it", () => {
    const { problems } = withAgent({ system_prompt_file: "prompts/helpdesk.md" });
    expect(problems).toEqual([
      expect.stringMatching(
        /^BOTS\.agent\.system_prompt_file: "prompts\/helpdesk\.md" is not a bundled prompt \(bundled: prompts\/assistant\.md\)\. Put the Markdown file under prompts\/ next to wrangler\.toml, then run `npx node scripts\/prompts\.ts`/,
      ),
    ]);
  });

  it("cannot be given together with system_prompt", () => {
    const { problems } = withAgent({ system_prompt: "Be brief.", system_prompt_file: "prompts/assistant.md" });
    expect(problems).toEqual([
      expect.stringMatching(/^BOTS\.agent: system_prompt and system_prompt_file are both set; keep one/),
    ]);
  });

  it("must name a file", () => {
    expect(withAgent({ system_prompt_file: " " }).problems).toEqual([
      expect.stringMatching(/^BOTS\.agent\.system_prompt_file: must name a file/),
    ]);
  });
});

describe("placeholders in a bot's prompt", () => {
  it("are filled with the bot's name, the room's name and the time zone in the system prompt", () => {
    const { bot, problems } = withAgent({
      system_prompt: "You are {{bot_name}} in {{ room_name }}; times are in {{time_zone}}.",
      time_zone: "Europe/Berlin",
    });
    expect(problems).toEqual([]);
    expect(systemPrompt(bot, "Watercooler")).toMatch(
      /^You are Agent in Watercooler; times are in Europe\/Berlin\.\n\n/,
    );
  });

  it("are filled in the shipped prompt file too", () => {
    const { bot } = withAgent({ system_prompt_file: "prompts/assistant.md", time_zone: "Asia/Tokyo" });
    const prompt = systemPrompt(bot, "Watercooler");
    expect(prompt).toMatch(/^You are Agent, /);
    expect(prompt).toContain("Asia/Tokyo");
    expect(prompt).not.toContain("{{");
  });

  it("are filled in what another bot is told this one is for, a Markdown heading skipped", () => {
    const config = loadConfig({
      CAMPFIRE_URL: "https://chat.example.com",
      SESSION_TTL: "",
      BOTS: {
        expert: { name: "Expert", system_prompt: "# {{bot_name}}\n\n{{bot_name}} digs up facts about tea.\nMore." },
        agent: { name: "Agent", consult: ["expert"] },
      },
      ANTHROPIC_API_KEY: "sk-test",
      BOT_KEY_AGENT: "4-AgentKey1234",
      BOT_KEY_EXPERT: "5-ExpertKey123",
    } as ConfigEnv);
    const tools = toolbox(config.bots.get("agent")!, [config.bots.get("expert")!], { id: 7, name: "Ada" });
    expect(tools.get("ask_expert")!.description).toMatch(/What it is for: Expert digs up facts about tea\.$/);
  });

  it("tell another bot only the first sentence of what this one is for, not how it goes about it", () => {
    const config = loadConfig({
      CAMPFIRE_URL: "https://chat.example.com",
      SESSION_TTL: "",
      BOTS: {
        expert: {
          name: "Expert",
          system_prompt: "You dig up facts about tea. Use the almanac first, then cite its page.",
        },
        agent: { name: "Agent", consult: ["expert"] },
      },
      ANTHROPIC_API_KEY: "sk-test",
      BOT_KEY_AGENT: "4-AgentKey1234",
      BOT_KEY_EXPERT: "5-ExpertKey123",
    } as ConfigEnv);
    const tools = toolbox(config.bots.get("agent")!, [config.bots.get("expert")!], { id: 7, name: "Ada" });
    expect(tools.get("ask_expert")!.description).toMatch(/What it is for: You dig up facts about tea\.$/);
  });

  it.each<[string, string, RegExp]>([
    [
      "the date, which changes every turn",
      "Today is {{date}}.",
      /system_prompt: \{\{date\}\} would change every turn and so break the prompt's cache; the model is already given the current date and time in each turn, after the cache breakpoints\. Remove it \(the placeholders are \{\{bot_name\}\}, \{\{room_name\}\}, \{\{time_zone\}\}\)/,
    ],
    [
      "the asker, who changes every turn",
      "Greet {{asker}}.",
      /\{\{asker\}\} would change every turn.*each message's `from`/,
    ],
    [
      "a misspelt one",
      "You are {{botname}}.",
      /system_prompt: \{\{botname\}\} is not a placeholder; the placeholders are \{\{bot_name\}\}/,
    ],
  ])("refuse %s", (_, prompt, problem) => {
    expect(withAgent({ system_prompt: prompt }).problems).toEqual([expect.stringMatching(problem)]);
  });
});

describe("temperature", () => {
  it("is read as written, and unset by default", () => {
    expect(withAgent({ temperature: 0.3 })).toMatchObject({ bot: { temperature: 0.3 }, problems: [] });
    expect(withAgent({ temperature: 0 }).bot.temperature).toBe(0);
    expect(withAgent({}).bot.temperature).toBeNull();
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ["above the API's range", { temperature: 1.5 }, /^BOTS\.agent\.temperature: must be from 0 to 1$/],
    ["below it", { temperature: -0.1 }, /^BOTS\.agent\.temperature: must be from 0 to 1$/],
    [
      "with thinking, which the API refuses",
      { temperature: 0.5, thinking: { budget_tokens: 2000 }, max_tokens: 4000 },
      /^BOTS\.agent\.temperature: with thinking, Claude's API refuses any temperature but 1, .*remove temperature, or thinking$/,
    ],
    ["with adaptive thinking", { temperature: 0.5, thinking: "adaptive" }, /^BOTS\.agent\.temperature: with thinking/],
  ])("is refused %s", (_, settings, problem) => {
    expect(withAgent(settings).problems).toEqual([expect.stringMatching(problem)]);
  });
});

describe("tasks", () => {
  it("are off by default and on with memory", () => {
    expect(withAgent({}).bot.tasks).toBe(false);
    expect(withAgent({ memory: true, tasks: true })).toMatchObject({ bot: { tasks: true }, problems: [] });
  });

  it("need memory, where the list is kept, and say so", () => {
    const { bot, problems } = withAgent({ tasks: true });
    expect(bot.tasks).toBe(false);
    expect(problems).toEqual([
      expect.stringMatching(/^BOTS\.agent\.tasks: a person's task list is kept with their memory .*add memory = true/),
    ]);
  });
});
