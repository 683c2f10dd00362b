import type { Row } from "./store";
import type { EndReason, Subscription } from "./subscription";

export const COLUMNS = `s.id, s.owner_id, s.owner_name, s.room_id, s.room_name, s.post_room_id, s.cron, s.time_zone, s.focus,
  s.created_at, s.next_due_at, s.covered_id, s.covered_at, s.delivered_at, s.failures, s.firing_id, s.firing_text,
  s.firing_upto_id, s.firing_upto_at, s.ended_at, s.ended_why, coalesce(p.seen_at, s.created_at) AS seen_at`;
// An ended subscription may outlive its owner's row (trimmed once they have no live one).
export const FROM = "subscriptions s LEFT JOIN people p ON p.user_id = s.owner_id";

export function toSubscription(row: Row): Subscription {
  return {
    id: row.id as number,
    owner: { id: row.owner_id as number, name: row.owner_name as string },
    roomId: row.room_id as number,
    roomName: row.room_name as string,
    postRoomId: row.post_room_id as number,
    cron: row.cron as string,
    timeZone: row.time_zone as string | null,
    focus: row.focus as string,
    createdAt: row.created_at as number,
    nextDueAt: row.next_due_at as number,
    coveredId: row.covered_id as number,
    coveredAt: row.covered_at as number,
    deliveredAt: row.delivered_at as number | null,
    failures: row.failures as number,
    firing:
      row.firing_id === null
        ? null
        : {
            messageId: row.firing_id as string,
            text: row.firing_text as string,
            uptoId: row.firing_upto_id as number,
            uptoAt: row.firing_upto_at as number,
          },
    endedAt: row.ended_at as number | null,
    endedWhy: row.ended_why as EndReason | null,
    seenAt: row.seen_at as number,
  };
}
