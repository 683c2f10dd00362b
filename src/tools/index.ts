import type { ToolName } from "../config/tool-names";
import { budgetStatus } from "./budget-status";
import { roomHistory } from "./room-history";
import { cancelReminder, listReminders, setReminder } from "./reminders";
import type { Tool } from "./tool";

/** Every built-in tool by name; each of `TOOL_NAMES` must be here, under its own name, and nothing else. */
export const TOOLS: Readonly<Record<ToolName, Tool>> = {
  room_history: roomHistory,
  set_reminder: setReminder,
  list_reminders: listReminders,
  cancel_reminder: cancelReminder,
  budget_status: budgetStatus,
} satisfies { [Name in ToolName]: Tool & { name: Name } };
