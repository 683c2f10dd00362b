import { z } from "zod";
import { defineTool, ToolError } from "./tool";
import { formatWhen, parseWhen } from "./when";

/** Reminders live in the conversation's own storage and fire from its one alarm, even days later. */
export const setReminder = defineTool({
  name: "set_reminder",
  description:
    "Set a reminder that will be posted in this room at a given time. `at` is relative ('in 10 minutes', 'in 2 hours', " +
    "'in 3 days') or an ISO date-time; without an offset it is read in the bot's time zone.",
  input: z.object({
    at: z.string().describe("When: 'in 20 minutes' or '2026-11-25T09:00'"),
    text: z.string().min(1).max(500).describe("What to remind about"),
  }),
  async run({ at, text }, { now, timeZone, store, userName }) {
    const due = parseWhen(at, now, timeZone);
    if (due === null) throw new ToolError(`"${at}" is not a time I understand; use 'in 20 minutes' or an ISO date-time like 2026-11-25T09:00.`);
    if (due <= now.getTime()) throw new ToolError(`${formatWhen(due, timeZone)} is in the past.`);
    const id = store.reminders.add(due, text, userName);
    return `Reminder #${id} set for ${formatWhen(due, timeZone)}: ${text}`;
  },
});

export const listReminders = defineTool({
  name: "list_reminders",
  description: "List the reminders pending in this room.",
  input: z.object({}),
  async run(_, { store, timeZone }) {
    const reminders = store.reminders.all();
    if (reminders.length === 0) return "No reminders are pending in this room.";
    return reminders.map((r) => `#${r.id} ${formatWhen(r.dueAt, timeZone)} for ${r.forUser}: ${r.text}`).join("\n");
  },
});

export const cancelReminder = defineTool({
  name: "cancel_reminder",
  description: "Cancel a pending reminder of this room by its number.",
  input: z.object({ id: z.number().int().positive().describe("The reminder's number, from list_reminders") }),
  async run({ id }, { store }) {
    if (!store.reminders.cancel(id)) throw new ToolError(`There is no pending reminder #${id} in this room.`);
    return `Reminder #${id} cancelled.`;
  },
});
