import { readFiringId } from "../schedules/firing";
import type { Sql } from "../sqlite";
import { directRoomLabel, type InboundMessage, isHashId } from "./message";
import type { PendingMessage } from "./state";

// The statements of the waiting messages and the message ids seen: ConversationStore runs them through its meter.

export function receiveMessage(
  sql: Sql,
  botId: string,
  ttlMs: number,
  message: InboundMessage,
  now: number,
  replayWindowMs: number,
): boolean {
  // A message id is seen once for the conversation's life; a hash stands for "the same words again" only briefly.
  const at = isHashId(message.messageId) ? now : null;
  const fresh = sql.exec(
    "INSERT INTO seen VALUES (?1, ?2) ON CONFLICT (message_id) DO UPDATE SET at = ?2 WHERE seen.at IS NOT NULL AND seen.at < ?3",
    message.messageId,
    at,
    now - replayWindowMs,
  ).rowsWritten;
  if (fresh === 0) return false;
  // A scheduled turn knows no room name (''): it keeps the one Campfire last sent, or says "room <id>". A shared
  // room's name replaces the stored one; a direct room's label only replaces "room <id>", so the system prompt
  // (and its cache) stays the same when someone else writes in a direct room with several people.
  const shared = message.roomName !== null;
  sql.exec(
    `INSERT INTO conversation (id, bot_id, room_id, room_name, ttl_ms, started_at, last_activity_at)
       VALUES (1, ?1, ?2, coalesce(nullif(?3, ''), 'room ' || cast(?2 AS INTEGER)), ?4, ?5, ?5)
       ON CONFLICT (id) DO UPDATE SET
         room_name = CASE WHEN ?3 <> '' AND (?6 OR room_name = 'room ' || room_id) THEN excluded.room_name ELSE room_name END, ttl_ms = excluded.ttl_ms
       WHERE (?3 <> '' AND (?6 OR room_name = 'room ' || room_id) AND room_name <> excluded.room_name) OR ttl_ms <> excluded.ttl_ms`,
    botId,
    message.roomId,
    message.roomName ?? directRoomLabel(message.userName),
    ttlMs,
    now,
    shared ? 1 : 0,
  );
  const campfireId = /^\d+$/.test(message.messageId) ? Number(message.messageId) : null;
  sql.exec(
    "INSERT INTO inbox (message_id, user_id, user_name, text, received_at, firing, notes) VALUES (?, ?, ?, ?, ?, ?, ?)",
    campfireId,
    message.userId,
    message.userName,
    message.text,
    now,
    readFiringId(message.messageId) ? message.messageId : null,
    message.notes?.length ? JSON.stringify(message.notes) : null,
  );
  return true;
}

export function oldestWaiting(sql: Sql, limit: number): PendingMessage[] {
  return sql
    .exec<{
      seq: number;
      message_id: number | null;
      user_id: number;
      user_name: string;
      text: string;
      notes: string | null;
    }>("SELECT seq, message_id, user_id, user_name, text, notes FROM inbox ORDER BY seq LIMIT ?", limit)
    .toArray()
    .map((row) => ({
      seq: row.seq,
      messageId: row.message_id,
      userId: row.user_id,
      userName: row.user_name,
      text: row.text,
      notes: row.notes === null ? [] : (JSON.parse(row.notes) as string[]),
    }));
}

export function waitingFirings(sql: Sql, seq: number): string[] {
  return sql
    .exec<{ firing: string }>("SELECT firing FROM inbox WHERE seq <= ? AND firing IS NOT NULL ORDER BY seq", seq)
    .toArray()
    .map((row) => row.firing);
}

export const newestWaitingSeq = (sql: Sql): number | null =>
  sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM inbox").one().seq;

export const countWaiting = (sql: Sql): number => sql.exec<{ n: number }>("SELECT count(*) AS n FROM inbox").one().n;

export const waitsAfter = (sql: Sql, seq: number): boolean =>
  sql.exec<{ later: number }>("SELECT EXISTS (SELECT 1 FROM inbox WHERE seq > ?) AS later", seq).one().later === 1;

/**
 * One statement whatever their number: each distinct SQL text stays prepared in the object's memory for its life
 * (≈ 12 KB for a wide one, measured).
 */
export function seenAmongIds(sql: Sql, messageIds: number[]): Set<string> {
  if (messageIds.length === 0) return new Set();
  const ids = JSON.stringify(messageIds.map(String));
  return new Set(
    sql
      .exec<{ id: string }>(
        "SELECT message_id AS id FROM seen WHERE message_id IN (SELECT value FROM json_each(?))",
        ids,
      )
      .toArray()
      .map((r) => r.id),
  );
}
