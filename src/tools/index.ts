import { roomHistory } from "./room-history";
import { cancelReminder, listReminders, setReminder } from "./reminders";
import type { Tool } from "./tool";

/** Every built-in tool by name; a bot's `tools` setting picks from these ("reminders" is all three). */
export const TOOLS: ReadonlyMap<string, Tool> = new Map([roomHistory, setReminder, listReminders, cancelReminder].map((tool) => [tool.name, tool as Tool]));

export const TOOL_GROUPS: Readonly<Record<string, string[]>> = { reminders: [setReminder.name, listReminders.name, cancelReminder.name] };
