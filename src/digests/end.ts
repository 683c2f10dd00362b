import { log } from "../log";
import type { EndReason, Subscription } from "./subscription";
import type { SubscriptionStore } from "./subscription-store";

/** Ends it now, logged without contents; the caller sets the alarm. */
export function endDigest(
  subscriptions: SubscriptionStore,
  botId: string,
  subscription: Subscription,
  why: EndReason,
): void {
  const now = Date.now();
  if (!subscriptions.end(subscription.id, why, now)) return;
  log("info", "digest.ended", {
    bot: botId,
    room: subscription.roomId,
    digest: subscription.id,
    reason: why,
    age_ms: now - subscription.createdAt,
  });
}
