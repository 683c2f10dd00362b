import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

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
                BOT_KEY_ASSISTANT: "4-GZfqGLxdULBM",
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
