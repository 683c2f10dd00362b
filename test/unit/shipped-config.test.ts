import { describe, expect, inject, it } from "vitest";
import { type ConfigEnv, loadConfig } from "../../src/config";

// The bots shipped in wrangler.toml must load cleanly once their secrets are set, or a new deployment fails.
describe("the shipped wrangler.toml", () => {
  const { vars, requiredSecrets, crons } = inject("shippedConfig");
  const secrets = Object.fromEntries(requiredSecrets.map((name) => [name, `test-${name}`]));
  const loaded = loadConfig({ ...vars, ...secrets } as unknown as ConfigEnv);

  it("has no configuration problems once the required secrets are set", () => {
    expect(loaded.problems).toEqual([]);
  });

  it("ships the assistant and the worked-example personal assistant with reminders and a morning briefing", () => {
    expect([...loaded.bots.keys()]).toEqual(["assistant", "butler", "reporter"]);
    const butler = loaded.bots.get("butler")!;
    expect(butler.tools).toEqual(["room_history", "set_reminder", "list_reminders", "cancel_reminder"]);
    expect(butler.schedules).toHaveLength(1);
    expect(crons).toContain(butler.schedules[0]!.cron);
  });

  it("ships an assistant that knows the handbook, remembers people, catches them up on the room and hands reports to a file-making reporter", () => {
    expect(loaded.bots.get("assistant")).toMatchObject({
      knowledge: { read: ["handbook"] },
      memoryTtlMs: 90 * 86_400_000,
      consult: ["reporter"],
      tools: ["room_history"],
    });
    expect(loaded.bots.get("reporter")).toMatchObject({
      codeExecution: true,
      skills: ["xlsx", "docx", "pptx", "pdf"],
      thinking: { type: "enabled", budget_tokens: 4000 },
    });
  });
});
