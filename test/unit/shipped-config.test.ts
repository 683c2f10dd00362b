import { describe, expect, inject, it } from "vitest";
import { type ConfigEnv, loadConfig } from "../../src/config";
import { PROMPT_FILES } from "../../src/config/prompt-files";

// The bots shipped in wrangler.toml must load cleanly once their secrets are set, or a new deployment fails.
describe("the shipped wrangler.toml", () => {
  const { vars, requiredSecrets, crons } = inject("shippedConfig");
  const secrets = Object.fromEntries(requiredSecrets.map((name) => [name, `test-${name}`]));
  const loaded = loadConfig({ ...vars, ...secrets } as unknown as ConfigEnv);

  it("has no configuration problems once the required secrets are set", () => {
    expect(loaded.problems).toEqual([]);
  });

  it("ships the assistant and the worked-example personal assistant with reminders and a briefing across three rooms", () => {
    expect([...loaded.bots.keys()]).toEqual(["assistant", "butler", "reporter"]);
    const butler = loaded.bots.get("butler")!;
    expect(butler.tools).toEqual(["room_history", "set_reminder", "list_reminders", "cancel_reminder"]);
    expect(butler.schedules).toEqual([
      expect.objectContaining({ roomId: 1, sources: [1, 2, 3], library: "briefings", keep: 60 }),
    ]);
    // It reads the library its briefings are kept in; the Worker writes them, so it has no store_document.
    expect(butler.knowledge).toEqual({ read: ["briefings"], write: [] });
  });

  it("lists every shipped schedule's cron in [triggers], or Cloudflare would never fire it", () => {
    for (const bot of loaded.bots.values())
      for (const schedule of bot.schedules) expect(crons).toContain(schedule.cron);
  });

  it("ships the butler with digests people subscribe to", () => {
    expect(loaded.bots.get("butler")!.digests).toBe(true);
  });

  it("ships an assistant that knows the handbook, remembers people, keeps their task lists, catches them up on the room and hands reports to a file-making reporter", () => {
    expect(loaded.bots.get("assistant")).toMatchObject({
      knowledge: { read: ["handbook"] },
      memoryTtlMs: 90 * 86_400_000,
      tasks: true,
      consult: ["reporter"],
      systemPrompt: PROMPT_FILES["prompts/assistant.md"],
      tools: ["room_history"],
    });
    expect(loaded.bots.get("reporter")).toMatchObject({
      codeExecution: true,
      skills: ["xlsx", "docx", "pptx", "pdf"],
      thinking: { type: "enabled", budget_tokens: 4000 },
    });
  });
});
