import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { type ConfigEnv, loadConfig } from "../../src/config/index.ts";

// The bots shipped in wrangler.toml must load cleanly once their secrets are set, or a new deployment fails.
describe("the shipped wrangler.toml", () => {
  const config = unstable_readConfig({ config: new URL("../../wrangler.toml", import.meta.url).pathname });
  const secrets = Object.fromEntries((config.secrets?.required ?? []).map((name) => [name, `test-${name}`]));
  const loaded = loadConfig({ ...config.vars, ...secrets } as unknown as ConfigEnv);

  it("has no configuration problems once the required secrets are set", () => {
    expect(loaded.problems).toEqual([]);
  });

  it("ships the assistant and the worked-example personal assistant with reminders and a morning briefing", () => {
    expect([...loaded.bots.keys()]).toEqual(["assistant", "butler"]);
    const butler = loaded.bots.get("butler")!;
    expect(butler.tools).toEqual(["room_history", "set_reminder", "list_reminders", "cancel_reminder"]);
    expect(butler.schedules).toHaveLength(1);
    expect(config.triggers.crons).toContain(butler.schedules[0]!.cron);
  });
});
