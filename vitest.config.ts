import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { ADMIN_TOKEN, MCP_TOKEN, TEST_BOTS, TEST_KEYS } from "./test/bots.ts";

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ANTHROPIC_API_KEY: "sk-ant-test",
                ANTHROPIC_BASE_URL: inject("anthropicUrl"),
                CAMPFIRE_URL: inject("campfireUrl"),
                ADMIN_TOKEN,
                BOTS: TEST_BOTS,
                BOT_KEY_ASSISTANT: TEST_KEYS.assistant,
                BOT_KEY_LEAKTEST: TEST_KEYS.leaktest,
                BOT_KEY_BRIEF: TEST_KEYS.brief,
                BOT_KEY_HASTY: TEST_KEYS.hasty,
                BOT_KEY_FRUGAL: TEST_KEYS.frugal,
                BOT_KEY_BUTLER: TEST_KEYS.butler,
                MCP_TOKEN_CRM: MCP_TOKEN,
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
          globalSetup: ["./test/global-setup.ts"],
        },
      },
      {
        // Node-side tests: the fakes themselves and end-to-end runs of `wrangler dev`.
        test: { name: "node", environment: "node", include: ["test/e2e/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 90_000 },
      },
    ],
  },
});
