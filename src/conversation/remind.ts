import type { Room } from "../campfire/room";
import { asFailure } from "../failure";
import { log } from "../log";
import { escapeHtml } from "../campfire/render";
import { alreadyPosted } from "./delivery";
import type { Reminder, ReminderStore } from "./reminder-store";
import { decideRetry, REMINDER_RETRY } from "./retry";

/** Posts a due reminder once; a failed post is tried again with back-off, a few times, then dropped and logged. */
export async function postDueReminder(
  room: Room,
  reminders: ReminderStore,
  botId: string,
  reminder: Reminder,
): Promise<void> {
  const fields = { bot: botId, room: room.id, reminder: reminder.id };
  const now = Date.now();
  try {
    const html = `<p>⏰ <strong>Reminder</strong> for ${escapeHtml(reminder.forUser)}: ${escapeHtml(reminder.text)}</p>`;
    // A run that died after Campfire took the reminder but before recording it must not post it twice.
    const repeat = reminder.postingSince !== null && (await alreadyPosted(room, html, reminder.postingSince));
    if (!repeat) {
      reminders.posting(reminder.id, now);
      await room.post(html);
    }
    reminders.posted(reminder.id, Date.now());
    log("info", "reminder.posted", { ...fields, late_ms: Date.now() - reminder.dueAt });
  } catch (error) {
    const failure = asFailure(error);
    // The window counts from the first failed post, not from the retry the last failure scheduled.
    const decision = failure.retryable
      ? decideRetry(REMINDER_RETRY, reminder.attempts + 1, reminder.failingSince ?? now, now, failure.retryAfterMs)
      : { giveUp: true as const };
    if ("retryAt" in decision) {
      reminders.failed(reminder.id, now, decision.retryAt);
      log("warn", "reminder.retry", { ...fields, error: failure.message });
    } else {
      reminders.cancel(reminder.id);
      log("error", "reminder.dropped", { ...fields, error: failure.message });
    }
  }
}
