import { z } from "zod";
import { log } from "../log";
import { defineTool, type ToolContext, ToolError } from "../tools/tool";
import { memoryName } from "./name";
import type { TaskCall, TaskOutcome } from "./task-calls";
import { dayIn, MAX_TITLE_CHARS, parseDue, showDay } from "./task-rules";
import type { Task } from "./task-store";

/** One person's task list as a turn may use it: already bound to that person and their memory's ttl. */
export interface TasksApi {
  run(call: TaskCall): Promise<TaskOutcome>;
}

/** A tool context that may carry the asker's task list, for the `tasks` tool. */
export interface TasksToolContext extends ToolContext {
  /** The asker's task list with this bot, bound when the turn started; absent for a bot without `tasks`. */
  tasks?: TasksApi;
}

/**
 * The task list of `userId` with `botId`, in their memory object (so it ends with it, `ttlMs` after the last use).
 * Bound once when the turn starts, with the newest message's sender: nothing Claude sends can reach another list.
 */
export function tasksFor(env: Pick<Env, "MEMORY">, botId: string, userId: number, ttlMs: number): TasksApi {
  const stub = env.MEMORY.getByName(memoryName(botId, userId));
  return { run: (call) => stub.tasks(call, ttlMs) as Promise<TaskOutcome> };
}

/** How many of the latest done tasks a list shows, so one can be reopened by its number. */
const DONE_SHOWN = 10;

const needsId = (command: string) => `${command} needs the task's number (id); list the tasks to see them.`;

export const tasksTool = defineTool({
  name: "tasks",
  description:
    "The asking person's own task list, the same in every room. list shows the open tasks and the latest done ones.",
  input: z.object({
    command: z.enum(["add", "list", "done", "reopen", "remove", "edit"]),
    id: z.number().int().positive().optional().describe("The task's number, from list (done, reopen, remove, edit)"),
    // Its length is checked where it is stored, in characters as people count them (an emoji is one).
    title: z
      .string()
      .optional()
      .describe(`add, edit: what is to be done, one line of at most ${MAX_TITLE_CHARS} characters`),
    due: z
      .string()
      .max(100)
      .optional()
      .describe("add, edit: 2026-12-04, today, tomorrow, Friday or 'in 3 days', in your time zone; 'none' clears it"),
  }),
  forAsker: true,
  async run({ command, id, title, due }, context: TasksToolContext) {
    if (!context.tasks) throw new ToolError("There is no task list in this conversation.");
    const day = due === undefined ? undefined : parseDue(due, context.now.getTime(), context.timeZone);
    if (day && "error" in day) throw new ToolError(day.error);
    let call: TaskCall;
    if (command === "list") call = { op: "list" };
    else if (command === "add") {
      if (title === undefined) throw new ToolError("add needs a title: what is to be done.");
      call = { op: "add", title, due: day?.due ?? null };
    } else if (id === undefined) throw new ToolError(needsId(command));
    else if (command === "edit") call = { op: "edit", id, title, due: day?.due };
    else call = { op: command, id };
    let outcome: TaskOutcome;
    try {
      outcome = await context.tasks.run(call);
    } catch (error) {
      log("warn", "tasks.unavailable", { bot: context.botId, error: (error as Error).message });
      throw new ToolError(
        "The task list could not be reached just now. Say so, and do not say that anything was added or changed.",
      );
    }
    if ("refused" in outcome) throw new ToolError(outcome.refused);
    const owner = `${context.asker.name}'s list`;
    if ("tasks" in outcome) return listed(owner, outcome.tasks, context);
    const { task, open } = outcome;
    const left = `${open} open task${open === 1 ? "" : "s"}.`;
    switch (call.op) {
      case "add":
        return `Added #${task.id} to ${owner}: ${shown(task, context.timeZone)}. ${left}`;
      case "done":
        return `Done: #${task.id} ${task.title}. ${left}`;
      case "reopen":
        return `Reopened #${task.id}: ${shown(task, context.timeZone)}. ${left}`;
      case "remove":
        return `Removed #${task.id} ${task.title} from ${owner}. ${left}`;
      default:
        return `#${task.id} now reads: ${shown(task, context.timeZone)}.`;
    }
  },
});

/** A task as its answers show it; the due day names the time zone it is a day in, as set_reminder needs it. */
const shown = (task: Task, timeZone: string) =>
  task.due === null ? task.title : `${task.title}, due ${showDay(task.due)} (${timeZone})`;

function listed(owner: string, tasks: Task[], { now, timeZone }: ToolContext): string {
  const today = dayIn(now.getTime(), timeZone);
  const open = tasks.filter((task) => task.doneAt === null);
  const done = tasks.filter((task) => task.doneAt !== null).slice(0, DONE_SHOWN);
  if (open.length === 0 && done.length === 0) return `${owner} is empty.`;
  const lines = [
    `${owner}, ${open.length} open (today is ${showDay(today)}, ${timeZone}):`,
    ...open.map((task) => {
      if (task.due === null) return `#${task.id} ${task.title}`;
      return `#${task.id} ${task.title} · due ${showDay(task.due)}${task.due < today ? ", overdue" : ""}`;
    }),
  ];
  if (done.length)
    lines.push(
      "Done lately:",
      ...done.map((task) => `#${task.id} ${task.title} · done ${showDay(dayIn(task.doneAt!, timeZone))}`),
    );
  return lines.join("\n");
}

/**
 * What the system prompt says about the list when the bot keeps one: the same for everyone, so it stays in the
 * cached prefix. A bot with set_reminder is told how a due date becomes a reminder.
 */
export function tasksPrompt(timeZone: string, withReminders: boolean): string {
  return (
    "With the tasks tool you keep a task list for each person: the one open in a turn belongs to the person who wrote " +
    `the newest message, and is the same in every room. Due dates are days in ${timeZone}.` +
    (withReminders
      ? " When someone wants to be reminded of a task, also call set_reminder for its due day (at 09:00 unless they say when)."
      : "")
  );
}
