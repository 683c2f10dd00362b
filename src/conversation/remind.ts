import type { Config } from "../config";
import { toServiceFailure } from "../failure";
import { log } from "../log";
import { escapeHtml } from "../render";
import type { Reminder } from "./reminder-store";
import { decideRetry } from "./retry";
import type { ConversationState, ConversationStore } from "./store";
import { alreadyPosted, roomSettings } from "./turn";

/** Posts a due reminder once; a failed post is tried again with back-off, a few times, then dropped and logged. */
export async function postDueReminder(store: ConversationStore, state: ConversationState, config: Config, reminder: Reminder): Promise<void> {
  const fields = { bot: state.botId, room: state.roomId, reminder: reminder.id };
  try {
    const { bot, campfire, path } = roomSettings(config, state);
    const html = `<p>⏰ <strong>Reminder</strong> for ${escapeHtml(reminder.forUser)}: ${escapeHtml(reminder.text)}</p>`;
    // A run that died after Campfire took the reminder but before recording it must not post it twice.
    const repeat = reminder.postingSince !== null && (await alreadyPosted(campfire, path, bot, html, reminder.postingSince));
    if (!repeat) {
      store.reminders.posting(reminder.id, Date.now());
      await campfire.post(path, html);
    }
    store.reminders.posted(reminder.id, Date.now());
    log("info", "reminder.posted", { ...fields, late_ms: Date.now() - reminder.dueAt });
  } catch (error) {
    const failure = toServiceFailure(error, "campfire");
    const decision = failure.retryable ? decideRetry(reminder.attempts + 1, reminder.dueAt, Date.now(), failure.retryAfterMs) : { giveUp: true as const };
    if ("retryAt" in decision) {
      store.reminders.failed(reminder.id, decision.retryAt);
      log("warn", "reminder.retry", { ...fields, error: failure.message });
    } else {
      store.reminders.cancel(reminder.id);
      log("error", "reminder.dropped", { ...fields, error: failure.message });
    }
  }
}
