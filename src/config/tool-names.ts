/** The built-in tools a bot's `tools` setting may name; `src/tools/index.ts` implements exactly these (the compiler checks). */
export const TOOL_NAMES = [
  "room_history",
  "set_reminder",
  "list_reminders",
  "cancel_reminder",
  "budget_status",
] as const;

export type ToolName = (typeof TOOL_NAMES)[number];

/** Names in a bot's `tools` that stand for several tools: "reminders" is all three. */
export const TOOL_GROUPS: Readonly<Record<string, readonly ToolName[]>> = {
  reminders: ["set_reminder", "list_reminders", "cancel_reminder"],
};

export const isToolName = (name: string): name is ToolName => (TOOL_NAMES as readonly string[]).includes(name);

/** The tools a bot with `digests = true` has, apart from `tools` (src/digests/tools.ts implements exactly these). */
export const DIGEST_TOOL_NAMES = ["subscribe_digest", "list_digests", "cancel_digest"] as const;

export type DigestToolName = (typeof DIGEST_TOOL_NAMES)[number];
