import { z } from "zod";
import { checkTitle, isDay, MAX_DONE_KEPT, MAX_OPEN_TASKS } from "./task-rules";
import type { Task, TaskStore } from "./task-store";

const id = z.number().int().positive();
const due = z.string().refine(isDay, "must be a day written as 2026-12-04").nullable();

/** One call on a person's task list, as the Memory object takes it: due dates already read into days. */
const callSchema = z.discriminatedUnion("op", [
  z.strictObject({ op: z.literal("add"), title: z.string(), due }),
  z.strictObject({ op: z.literal("list") }),
  z.strictObject({ op: z.literal("done"), id }),
  z.strictObject({ op: z.literal("reopen"), id }),
  z.strictObject({ op: z.literal("remove"), id }),
  z.strictObject({ op: z.literal("edit"), id, title: z.string().optional(), due: due.optional() }),
]);

export type TaskCall = z.infer<typeof callSchema>;

/** What a call did: the task it touched and how many are open now, the whole list, or why nothing was done. */
export type TaskOutcome = { task: Task; open: number } | { tasks: Task[]; open: number } | { refused: string };

/** Reads a call that came over RPC; what does not fit is refused with what was wrong. */
export function parseTaskCall(input: unknown): { call: TaskCall } | { refused: string } {
  const parsed = callSchema.safeParse(input);
  return parsed.success
    ? { call: parsed.data }
    : { refused: `The task call does not fit: ${z.prettifyError(parsed.error)}` };
}

/** Runs one call; refusals come back as outcomes, only storage failures throw. */
export function runTaskCall(store: TaskStore, call: TaskCall, now: number): TaskOutcome {
  if (call.op === "list") return { tasks: store.all(), open: store.count().open };
  if (call.op === "add") {
    const title = checkTitle(call.title);
    if ("error" in title) return { refused: title.error };
    const full = tooMany(store);
    if (full) return { refused: full };
    const task = store.add(title.title, call.due, now);
    return { task, open: store.count().open };
  }
  const task = store.get(call.id);
  if (!task) return { refused: `There is no task #${call.id} on this list; list the tasks to see their numbers.` };
  switch (call.op) {
    case "done":
      if (task.doneAt !== null) return { refused: `#${task.id} is already done.` };
      store.update(task.id, { doneAt: now });
      store.keepDone(MAX_DONE_KEPT);
      return { task: { ...task, doneAt: now }, open: store.count().open };
    case "reopen": {
      if (task.doneAt === null) return { refused: `#${task.id} is not done; it is still open.` };
      const full = tooMany(store);
      if (full) return { refused: full };
      store.update(task.id, { doneAt: null });
      return { task: { ...task, doneAt: null }, open: store.count().open };
    }
    case "remove":
      store.delete(task.id);
      return { task, open: store.count().open };
    case "edit": {
      if (call.title === undefined && call.due === undefined)
        return { refused: "Nothing to change: give a new title, a new due date, or both." };
      let title = task.title;
      if (call.title !== undefined) {
        const checked = checkTitle(call.title);
        if ("error" in checked) return { refused: checked.error };
        title = checked.title;
      }
      const changed = { title, due: call.due === undefined ? task.due : call.due };
      store.update(task.id, changed);
      return { task: { ...task, ...changed }, open: store.count().open };
    }
  }
}

function tooMany(store: TaskStore): string | null {
  const { open } = store.count();
  return open >= MAX_OPEN_TASKS
    ? `The list already holds ${open} open tasks, the most it keeps (${MAX_OPEN_TASKS}); mark some done or remove some first.`
    : null;
}
