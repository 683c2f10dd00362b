import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { memoryName } from "../../src/memory/name";

export const HOUR = 3_600_000;

let counter = 0;
/** Each test remembers people of its own: the objects outlive a test. */
export const newUserId = () => 1_000_000 + Math.floor(Math.random() * 1_000_000_000) + counter++;

export const memoryOf = (userId: number, botId = "assistant") => env.MEMORY.getByName(memoryName(botId, userId));

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The alarm and the tables a memory keeps, minus the runtime's own, read straight from the object. */
export function storageOf(userId: number, botId = "assistant") {
  return runInDurableObject(memoryOf(userId, botId), async (_, state) => ({
    alarm: await state.storage.getAlarm(),
    tables: state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'",
      )
      .toArray()
      .map((row) => row.name),
  }));
}
