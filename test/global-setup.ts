import type { TestProject } from "vitest/node";
import { startFakeAnthropic } from "./fakes/anthropic.ts";
import { startFakeCampfire } from "./fakes/campfire.ts";
import { TEST_KEYS } from "./bots.ts";

declare module "vitest" {
  export interface ProvidedContext {
    anthropicUrl: string;
    campfireUrl: string;
  }
}

/** Starts the fake Anthropic and Campfire once for the workerd tests; the Worker reaches them on loopback. */
export default async function setup(project: TestProject) {
  const anthropic = await startFakeAnthropic();
  const campfire = await startFakeCampfire({ botKeys: Object.values(TEST_KEYS) });
  project.provide("anthropicUrl", anthropic.url);
  project.provide("campfireUrl", campfire.url);
  return async () => {
    await Promise.all([anthropic.close(), campfire.close()]);
  };
}
