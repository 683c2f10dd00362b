import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { log } from "../log";
import { parseMemoryCommand } from "./command-schema";
import { type CommandResult, runCommand } from "./commands";
import type { StoredFile } from "./file-store";
import { MEMORY_ROOT } from "./paths";
import { MemoryStore } from "./store";

const ttlMsSchema = z.number().int().min(1_000);

/**
 * What one bot remembers about one person, named by `memoryName(botId, userId)`: the files Claude keeps with
 * Anthropic's memory tool. The one alarm forgets everything `ttlMs` after the last use; nothing runs between uses.
 */
export class Memory extends DurableObject<Env> {
  private readonly store = new MemoryStore(this.ctx.storage);

  /** Runs one memory tool call; every call, a `view` too, counts as use and moves the end of life to now + `ttlMs`. */
  async command(input: unknown, ttlMs: number): Promise<CommandResult> {
    const ttl = ttlMsSchema.safeParse(ttlMs);
    if (!ttl.success)
      throw new Error(`Memory.command needs the memory's ttl in whole milliseconds, at least 1000; got ${ttlMs}`);
    const parsed = parseMemoryCommand(input);
    if ("error" in parsed) return { content: parsed.error, isError: true };
    const now = Date.now();
    const result = runCommand(this.store, parsed.command, now);
    await this.recordUse(now, ttl.data);
    return result;
  }

  /** Every file, for an operator; looking does not count as use. */
  async files(): Promise<StoredFile[]> {
    return this.store.listUnder(MEMORY_ROOT);
  }

  /** Forgets everything now (operator request; the caller logs it): files, lifetime and alarm. Returns how many files there were. */
  async erase(): Promise<number> {
    const files = this.store.fileCount();
    await this.store.erase();
    return files;
  }

  override async alarm(): Promise<void> {
    const lifetime = this.store.lifetime();
    const due = lifetime ? lifetime.lastUsedAt + lifetime.ttlMs : 0;
    // Checking the clock keeps an early wake-up from forgetting a memory still in use.
    if (Date.now() < due) {
      await this.ctx.storage.setAlarm(due);
      return;
    }
    const files = this.store.fileCount();
    await this.store.erase();
    if (lifetime) log("info", "memory.erased", { reason: "ttl", files, idle_ms: Date.now() - lifetime.lastUsedAt });
  }

  private async recordUse(now: number, ttlMs: number): Promise<void> {
    // An empty memory keeps nothing, not even when it was used: "forget everything" leaves no trace.
    if (this.store.fileCount() === 0) {
      if (this.store.lifetime()) await this.store.erase();
      return;
    }
    this.store.recordUse(now, ttlMs);
    const due = now + ttlMs;
    if ((await this.ctx.storage.getAlarm()) !== due) await this.ctx.storage.setAlarm(due);
  }
}
