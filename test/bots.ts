/** The bots the workerd tests run with, and their Campfire keys; shared by the config, the fakes and the tests. */
export const TEST_BOTS = {
  assistant: { name: "Assistant", system_prompt: "You are a helpful assistant in a Campfire chat room." },
  // Long enough to see all its conversations alive before they are forgotten together.
  leaktest: { name: "Leak test", session_ttl: "10s" },
  // Short enough that a conversation pausing for a few seconds would be forgotten.
  brief: { name: "Brief", session_ttl: "2s" },
  // Gives up on a turn after 3 s.
  hasty: { name: "Hasty", turn_timeout: "3s" },
  // Keeps only about 500 tokens of history.
  frugal: { name: "Frugal", history_budget_tokens: 500 },
};

export const TEST_KEYS = {
  assistant: "4-GZfqGLxdULBM",
  leaktest: "6-LeakTestKey0",
  brief: "7-BriefKeyAbc1",
  hasty: "8-HastyKeyAbcd",
  frugal: "9-FrugalKeyAbc",
} satisfies Record<keyof typeof TEST_BOTS, string>;

export const ADMIN_TOKEN = "admin-test-token";
