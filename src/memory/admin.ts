import { type Context, Hono } from "hono";
import { loadConfig } from "../config";
import { controlOf } from "../control/status";
import { log } from "../log";
import { byteSize } from "./file-store";
import { memoryName } from "./name";

type AppEnv = { Bindings: Env };

/**
 * What a bot remembers about a person — memory files and task list — for operators: mounted at /admin/memory,
 * behind the admin token. Looking does not count as use, so it never extends the memory's life.
 */
export const memoryAdmin = new Hono<AppEnv>();

/** The person's memory named by the URL, or the response saying which part of the URL is wrong. */
function target(c: Context<AppEnv>): { botId: string; userId: number } | Response {
  const botId = c.req.param("botId") ?? "";
  const userId = c.req.param("userId") ?? "";
  if (!loadConfig(c.env).bots.has(botId)) return c.json({ error: `no bot "${botId}" is configured` }, 404);
  if (!/^\d+$/.test(userId))
    return c.json({ error: `user id "${userId}" must be a number: the person's Campfire user id` }, 400);
  return { botId, userId: Number(userId) };
}

memoryAdmin.get("/:botId/:userId", async (c) => {
  const found = target(c);
  if (found instanceof Response) return found;
  const memory = c.env.MEMORY.getByName(memoryName(found.botId, found.userId));
  const [files, tasks] = await Promise.all([memory.files(), memory.allTasks()]);
  const listed = files.map((file) => ({
    path: file.path,
    bytes: byteSize(file.content),
    updatedAt: new Date(file.updatedAt).toISOString(),
    content: file.content,
  }));
  return c.json({
    bot: found.botId,
    user: found.userId,
    totalBytes: listed.reduce((sum, file) => sum + file.bytes, 0),
    files: listed,
    tasks: tasks.map((task) => ({
      id: task.id,
      title: task.title,
      due: task.due,
      createdAt: new Date(task.createdAt).toISOString(),
      doneAt: task.doneAt === null ? null : new Date(task.doneAt).toISOString(),
    })),
  });
});

memoryAdmin.delete("/:botId/:userId", async (c) => {
  const found = target(c);
  if (found instanceof Response) return found;
  const { files: erased, tasks } = await c.env.MEMORY.getByName(memoryName(found.botId, found.userId)).erase();
  log("info", "admin.memory_erased", { bot: found.botId, user: found.userId, files: erased, tasks });
  // What the person did and what was done about them goes with their memory; the erasure itself stays on record.
  let auditEntriesErased: number;
  try {
    auditEntriesErased = await controlOf(c.env, found.botId).erasePerson(found.userId, {
      kind: "memory.erased",
      actor: "admin",
      userId: found.userId,
      detail: { files: erased, tasks },
    });
  } catch (error) {
    log("error", "admin.audit_not_erased", {
      bot: found.botId,
      user: found.userId,
      error: (error as Error).message.slice(0, 300),
    });
    return c.json(
      {
        erased,
        tasksErased: tasks,
        error: `the memory is erased (${erased} files, ${tasks} tasks), but this person's entries in the bot's audit log could not be erased just now; send the DELETE again`,
      },
      503,
    );
  }
  return c.json({
    erased,
    tasksErased: tasks,
    auditEntriesErased,
    note: `${auditEntriesErased} audit log entries by or about this person were erased with the memory; the erasure itself is recorded there, by user id only.`,
  });
});
