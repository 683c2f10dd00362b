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
                ...Object.fromEntries(
                  Object.entries(TEST_KEYS).map(([id, key]) => [`BOT_KEY_${id.toUpperCase()}`, key]),
                ),
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
        // Node-side tests: the fakes themselves, end-to-end runs of `wrangler dev`, and the source's import layers.
        test: {
          name: "node",
          environment: "node",
          include: ["test/e2e/**/*.test.ts", "test/architecture/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
