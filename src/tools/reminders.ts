import { z } from "zod";
import { defineTool, ToolError } from "./tool";
import { formatWhen, parseWhen } from "./when";

/** How far ahead a reminder may be set: a pending reminder keeps its conversation (and history) alive. */
export const REMINDER_HORIZON_MS = 366 * 86_400_000;

/** Reminders live in the conversation's own storage and fire from its one alarm, even days later. */
export const setReminder = defineTool({
  name: "set_reminder",
  description: "Set a reminder for the person asking, posted in this room at a time at most a year ahead.",
  input: z.object({
    at: z
      .string()
      .max(100)
      .describe(
        "'in 20 minutes', 'in 3 days', or an ISO date-time like '2026-11-25T09:00' (without an offset, in the bot's time zone)",
      ),
    text: z.string().min(1).max(500).describe("What to remind about"),
  }),
  forAsker: true,
  async run({ at, text }, { now, timeZone, reminders, asker }) {
    const due = parseWhen(at, now, timeZone);
    if (due === null)
      throw new ToolError(
        `"${at.slice(0, 60)}" is not a time I understand; use 'in 20 minutes' or an ISO date-time like 2026-11-25T09:00.`,
      );
    if (due <= now.getTime()) throw new ToolError(`${formatWhen(due, timeZone)} is in the past.`);
    if (due > now.getTime() + REMINDER_HORIZON_MS) {
      // Far enough ahead ("in 20000000 weeks") there is no calendar date to show: the words are named instead.
      const when = Number.isNaN(new Date(due).getTime()) ? `"${at.slice(0, 60)}"` : formatWhen(due, timeZone);
      throw new ToolError(`${when} is more than a year ahead; reminders can be set up to one year ahead.`);
    }
    const id = reminders.add(due, text, asker);
    return `Reminder #${id} set for ${formatWhen(due, timeZone)}: ${text}`;
  },
});

export const listReminders = defineTool({
  name: "list_reminders",
  description: "List the reminders pending in this room, with who each is for.",
  input: z.object({}),
  async run(_, { reminders, timeZone }) {
    const pending = reminders.all();
    if (pending.length === 0) return "No reminders are pending in this room.";
    return pending.map((r) => `#${r.id} ${formatWhen(r.dueAt, timeZone)} for ${r.forUser}: ${r.text}`).join("\n");
  },
});

export const cancelReminder = defineTool({
  name: "cancel_reminder",
  description:
    "Cancel one of the asking person's pending reminders by its number (a reminder set by someone else only they can cancel).",
  input: z.object({ id: z.number().int().positive().describe("The reminder's number, from list_reminders") }),
  forAsker: true,
  async run({ id }, { reminders, asker }) {
    const reminder = reminders.all().find((r) => r.id === id);
    if (!reminder) throw new ToolError(`There is no pending reminder #${id} in this room.`);
    // Acts for the person who asked in this turn only; nothing in the conversation can widen that.
    if (reminder.forUserId !== asker.id)
      throw new ToolError(`Reminder #${id} belongs to ${reminder.forUser}; only they can cancel it. Ask them to.`);
    reminders.cancel(id);
    return `Reminder #${id} cancelled.`;
  },
});
