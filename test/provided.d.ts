// What test/global-setup.ts provides to the tests (vitest's `inject`).
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    anthropicUrl: string;
    campfireUrl: string;
    /** What wrangler.toml ships, read by wrangler itself, for the test that it loads cleanly. */
    shippedConfig: { vars: Record<string, unknown>; requiredSecrets: string[]; crons: string[] };
  }
}
