import type { AuditEntry, AuditRecord } from "./audit";

/**
 * A bot's switch (one row, there only while the bot is paused or has a budget override) and its audit log, indexed
 * by person (for the filter and for erasing someone's entries) and by room. Entries without a person or room add no
 * index row: every row written is billed, and most entries are rare operator actions.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS switch (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  paused_at INTEGER,
  budget TEXT,
  budget_at INTEGER
);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  actor_id INTEGER,
  actor_name TEXT NOT NULL,
  room_id INTEGER,
  person INTEGER,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS audit_person ON audit (person) WHERE person IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_room ON audit (room_id) WHERE room_id IS NOT NULL;`;

export type Row = Record<string, SqlStorageValue>;

/** Detail values are identifiers, counts and times: a string longer than this is cut, so no text can ride along whole. */
const DETAIL_CHARS = 200;

export function bounded(detail: NonNullable<AuditEntry["detail"]>): AuditEntry["detail"] {
  return Object.fromEntries(
    Object.entries(detail)
      .slice(0, 12)
      .map(([key, value]) => [key.slice(0, 40), typeof value === "string" ? value.slice(0, DETAIL_CHARS) : value]),
  );
}

export function toRecord(row: Row): AuditRecord {
  const record: AuditRecord = {
    id: row.id as number,
    at: row.at as number,
    kind: row.kind as string,
    actor: row.actor_id === null ? "admin" : { userId: row.actor_id as number, name: row.actor_name as string },
  };
  if (row.room_id !== null) record.roomId = row.room_id as number;
  // The person the entry is about, when that is not its actor.
  if (row.person !== null && row.person !== row.actor_id) record.userId = row.person as number;
  if (row.detail !== null) record.detail = JSON.parse(row.detail as string) as AuditEntry["detail"];
  return record;
}
