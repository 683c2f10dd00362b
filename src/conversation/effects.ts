import type { AuditEntry } from "../control/audit";
import type { LibraryApi } from "../knowledge/access";
import type { ReminderBook } from "../tools/tool";
import type { TurnToolContext } from "./toolbox";

/** What one tool run changed, for the bot's audit log: identifiers only, never what was written. */
export type Effect = Required<Pick<AuditEntry, "kind" | "detail">>;

/** Where a turn records what its tool runs changed, in the log of the bot that ran them. */
export type AuditSink = (botId: string, entry: AuditEntry) => Promise<void>;

/** The memory tool's commands that change the asker's memory, and what each is recorded as. */
const MEMORY_CHANGES: Record<string, "memory.written" | "memory.erased"> = {
  create: "memory.written",
  str_replace: "memory.written",
  insert: "memory.written",
  rename: "memory.written",
  delete: "memory.erased",
};

/** What a memory command that succeeded changed: the command only, no path and no text. Null for a `view`. */
export function memoryEffect(input: unknown): Effect | null {
  const command = typeof input === "object" && input !== null ? (input as { command?: unknown }).command : undefined;
  const kind = typeof command === "string" && Object.hasOwn(MEMORY_CHANGES, command) ? MEMORY_CHANGES[command]! : null;
  return kind && { kind, detail: { command: command as string } };
}

/**
 * The tool context with its reminders, libraries, memory, task list and digests watched: what a run sets, cancels,
 * stores or changes is noted in `effects` as it happens, so the tools themselves know nothing of the audit log, and
 * what failed is never recorded as done.
 */
export function watched(context: TurnToolContext, effects: Effect[]): TurnToolContext {
  const { reminders, knowledge, memory, tasks, digests } = context;
  const book: ReminderBook = {
    add(dueAt, text, forUser) {
      const id = reminders.add(dueAt, text, forUser);
      effects.push({ kind: "reminder.set", detail: { reminder: id, due: new Date(dueAt).toISOString() } });
      return id;
    },
    all: () => reminders.all(),
    cancel(id) {
      const cancelled = reminders.cancel(id);
      if (cancelled) effects.push({ kind: "reminder.cancelled", detail: { reminder: id } });
      return cancelled;
    },
  };
  const library = (name: string): LibraryApi => {
    const opened = knowledge!.library(name);
    return {
      search: (query, limit) => opened.search(query, limit),
      read: (id, page) => opened.read(id, page),
      list: () => opened.list(),
      async put(doc) {
        const result = await opened.put(doc);
        if (result.ok)
          effects.push({ kind: "knowledge.stored", detail: { library: name, doc: doc.id, created: result.created } });
        return result;
      },
    };
  };
  return {
    ...context,
    reminders: book,
    knowledge: knowledge && { ...knowledge, library },
    memory: memory && {
      async command(input) {
        const result = await memory.command(input);
        const effect = result.isError ? null : memoryEffect(input);
        if (effect) effects.push(effect);
        return result;
      },
    },
    digests: digests && {
      mine: () => digests.mine(),
      async subscribe(request) {
        const result = await digests.subscribe(request);
        if ("digest" in result)
          effects.push({
            kind: "digest.subscribed",
            detail: { digest: result.digest.id, cron: result.digest.cron, posted_in: result.digest.postRoomId },
          });
        return result;
      },
      async cancel(id) {
        const result = await digests.cancel(id);
        if ("digest" in result) effects.push({ kind: "digest.cancelled", detail: { digest: id } });
        return result;
      },
    },
    tasks: tasks && {
      async run(call) {
        const outcome = await tasks.run(call);
        if ("task" in outcome)
          effects.push({ kind: "task.changed", detail: { command: call.op, task: outcome.task.id } });
        return outcome;
      },
    },
  };
}
