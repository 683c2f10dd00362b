import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { log } from "../log";
import { parseMemoryCommand } from "./command-schema";
import { type CommandResult, runCommand } from "./commands";
import type { StoredFile } from "./file-store";
import { MEMORY_ROOT } from "./paths";
import { MemoryStore } from "./store";
import { parseTaskCall, runTaskCall, type TaskOutcome } from "./task-calls";
import { type Task, TaskStore } from "./task-store";

const ttlMsSchema = z.number().int().min(1_000);

/** The memory's ttl as the caller bound it; a wrong one is a bug in the caller, not something to tell Claude. */
function checkedTtl(method: string, ttlMs: number): number {
  const ttl = ttlMsSchema.safeParse(ttlMs);
  if (!ttl.success)
    throw new Error(`Memory.${method} needs the memory's ttl in whole milliseconds, at least 1000; got ${ttlMs}`);
  return ttl.data;
}

/**
 * What one bot remembers about one person, named by `memoryName(botId, userId)`: the files Claude keeps with
 * Anthropic's memory tool, and the person's task list (bots with `tasks`). The one alarm forgets everything
 * `ttlMs` after the last use of either; nothing runs between uses.
 */
export class Memory extends DurableObject<Env> {
  private readonly store = new MemoryStore(this.ctx.storage);
  private readonly taskList = new TaskStore(this.ctx.storage);

  /** Runs one memory tool call; every call, a `view` too, counts as use and moves the end of life to now + `ttlMs`. */
  async command(input: unknown, ttlMs: number): Promise<CommandResult> {
    const ttl = checkedTtl("command", ttlMs);
    const parsed = parseMemoryCommand(input);
    if ("error" in parsed) return { content: parsed.error, isError: true };
    const now = Date.now();
    const result = runCommand(this.store, parsed.command, now);
    await this.recordUse(now, ttl);
    return result;
  }

  /** Runs one call on the person's task list (see TaskCall); every call, a list too, counts as use, as for the files. */
  async tasks(input: unknown, ttlMs: number): Promise<TaskOutcome> {
    const ttl = checkedTtl("tasks", ttlMs);
    const parsed = parseTaskCall(input);
    if ("refused" in parsed) return parsed;
    const now = Date.now();
    const outcome = runTaskCall(this.taskList, parsed.call, now);
    await this.recordUse(now, ttl);
    return outcome;
  }

  /** Every task, for an operator; looking does not count as use. */
  async allTasks(): Promise<Task[]> {
    return this.taskList.all();
  }

  /** Every file, for an operator; looking does not count as use. */
  async files(): Promise<StoredFile[]> {
    return this.store.listUnder(MEMORY_ROOT);
  }

  /** Forgets everything now (operator request; the caller logs it): files, tasks, lifetime and alarm. Says how many there were. */
  async erase(): Promise<{ files: number; tasks: number }> {
    const held = this.held();
    await this.eraseAll();
    return held;
  }

  override async alarm(): Promise<void> {
    const lifetime = this.store.lifetime();
    const due = lifetime ? lifetime.lastUsedAt + lifetime.ttlMs : 0;
    // Checking the clock keeps an early wake-up from forgetting a memory still in use.
    if (Date.now() < due) {
      await this.ctx.storage.setAlarm(due);
      return;
    }
    const { files, tasks } = this.held();
    await this.eraseAll();
    if (lifetime)
      log("info", "memory.erased", { reason: "ttl", files, tasks, idle_ms: Date.now() - lifetime.lastUsedAt });
  }

  private held(): { files: number; tasks: number } {
    const { open, done } = this.taskList.count();
    return { files: this.store.fileCount(), tasks: open + done };
  }

  private async eraseAll(): Promise<void> {
    await this.store.erase();
    this.taskList.erased();
  }

  private async recordUse(now: number, ttlMs: number): Promise<void> {
    // An empty memory keeps nothing, not even when it was used: "forget everything" leaves no trace.
    const { files, tasks } = this.held();
    if (files === 0 && tasks === 0) {
      if (this.store.lifetime()) await this.eraseAll();
      return;
    }
    this.store.recordUse(now, ttlMs);
    const due = now + ttlMs;
    if ((await this.ctx.storage.getAlarm()) !== due) await this.ctx.storage.setAlarm(due);
  }
}
