import { loadConfig } from "./config";
import { controlStatus } from "./control/status";
import { conversationName } from "./conversation/message";
import { log } from "./log";
import { briefingFor } from "./schedules/briefing";
import { firingId } from "./schedules/firing";

/**
 * A Cron Trigger fired: each bot schedule with that cron starts a turn in its room's conversation, exactly as if
 * someone had asked. The answer, its retries and any apology follow the same path as a reply. A paused bot's
 * schedules are skipped (and logged): its room gets nothing, not even the paused sentence. A schedule with
 * `sources` is a briefing: its prompt carries what was said in those rooms since the cron's previous firing.
 */
export async function runSchedules(controller: ScheduledController, env: Env): Promise<void> {
  const config = loadConfig(env);
  const due = [...config.bots.values()].flatMap((bot) =>
    bot.schedules.filter((schedule) => schedule.cron === controller.cron).map((schedule) => ({ bot, schedule })),
  );
  if (due.length === 0) log("warn", "schedule.unused", { cron: controller.cron });
  await Promise.all(
    due.map(async ({ bot, schedule }) => {
      if ((await controlStatus(env, bot.id)).paused) {
        log("info", "schedule.skipped", { bot: bot.id, room: schedule.roomId, cron: controller.cron, rule: "paused" });
        return;
      }
      const briefing = schedule.sources.length
        ? await briefingFor(config, bot, schedule, controller.scheduledTime)
        : null;
      const { outcome } = await env.CONVERSATIONS.getByName(conversationName(schedule.roomId, bot.id)).receive(bot.id, {
        // One id per firing, so a trigger delivered twice starts one turn.
        messageId: firingId(controller.cron, controller.scheduledTime),
        roomId: schedule.roomId,
        roomName: "",
        userId: 0,
        userName: "Scheduled task",
        text: briefing?.text ?? schedule.prompt,
        notes: briefing?.notes,
      });
      log("info", "schedule.started", { bot: bot.id, room: schedule.roomId, cron: controller.cron, outcome });
    }),
  );
}
