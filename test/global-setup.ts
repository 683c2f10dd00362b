import type { TestProject } from "vitest/node";
import { unstable_readConfig } from "wrangler";
import { startFakeAnthropic } from "./fakes/anthropic.ts";
import { startFakeCampfire } from "./fakes/campfire.ts";
import { TEST_KEYS } from "./bots.ts";

/** Starts the fake Anthropic and Campfire once for the workerd tests; the Worker reaches them on loopback. */
export default async function setup(project: TestProject) {
  const anthropic = await startFakeAnthropic();
  const campfire = await startFakeCampfire({ botKeys: Object.values(TEST_KEYS) });
  project.provide("anthropicUrl", anthropic.url);
  project.provide("campfireUrl", campfire.url);
  const shipped = unstable_readConfig({ config: new URL("../wrangler.toml", import.meta.url).pathname });
  project.provide("shippedConfig", {
    vars: shipped.vars,
    requiredSecrets: shipped.secrets?.required ?? [],
    crons: shipped.triggers.crons ?? [],
  });
  return async () => {
    await Promise.all([anthropic.close(), campfire.close()]);
  };
}
