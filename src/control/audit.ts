import { log } from "../log";
import { controlOf } from "./status";

/** Every kind of entry the audit log holds: operators' actions, and tool runs that changed something. */
export const AUDIT_KINDS = [
  "bot.paused",
  "bot.resumed",
  "budget.set",
  "budget.cleared",
  "conversation.ended",
  "digest.subscribed",
  "digest.cancelled",
  "knowledge.stored",
  "knowledge.deleted",
  "memory.written",
  "memory.erased",
  "reminder.set",
  "reminder.cancelled",
  "task.changed",
] as const;

export type AuditKind = (typeof AUDIT_KINDS)[number];

/**
 * One thing done to or by a bot: what (`kind`, and identifiers in `detail`), by whom, in which room, about whom.
 * Never message text, document or memory contents: ids, counts, times and names only.
 */
export interface AuditEntry {
  /** One of AUDIT_KINDS. */
  kind: string;
  actor: "admin" | { userId: number; name: string };
  roomId?: number;
  /** Whom it is about, when not the actor (an operator erasing someone's memory). */
  userId?: number;
  detail?: Record<string, string | number | boolean | null>;
}

/** An entry as the log keeps it. */
export interface AuditRecord extends AuditEntry {
  id: number;
  at: number;
}

/** What `GET /admin/audit` may ask of one bot's log; every filter given must match. */
export interface AuditFilter {
  roomId?: number;
  /** The person the entry is by or about. */
  userId?: number;
  kind?: string;
  limit: number;
}

/** Records an entry in the bot's audit log. Never throws: a record that cannot be kept is logged instead, without its detail. */
export async function recordAudit(env: Pick<Env, "CONTROL">, botId: string, entry: AuditEntry): Promise<void> {
  try {
    await controlOf(env, botId).record(entry);
  } catch (error) {
    log("error", "audit.not_recorded", {
      bot: botId,
      room: entry.roomId,
      kind: entry.kind,
      error: String((error as Error)?.message ?? error).slice(0, 300),
    });
  }
}

/** The log's bounds: it keeps the newest entries only, and none for longer. */
export const AUDIT_MAX_ENTRIES = 10_000;
export const AUDIT_MAX_AGE_MS = 90 * 86_400_000;
/** A log past its entry bound is trimmed this soon by its alarm: a burst is cut once, not entry by entry. */
export const AUDIT_OVERFLOW_TRIM_MS = 60_000;

/** The ends of a non-empty log. Ids grow with every entry, so the ids between them bound how many there are. */
export interface AuditExtent {
  oldestId: number;
  oldestAt: number;
  newestId: number;
}

/** What a trim at `now` removes: every entry older than `before`, and every id up to `throughId`. */
export function trimCut(extent: AuditExtent, now: number): { before: number; throughId: number } {
  return { before: now - AUDIT_MAX_AGE_MS, throughId: extent.newestId - AUDIT_MAX_ENTRIES };
}

/** When the log's alarm trims it next: when its oldest entry turns too old, soon when it holds too many; never when empty. */
export function nextTrimAt(extent: AuditExtent | null, now: number): number | null {
  if (!extent) return null;
  const aged = extent.oldestAt + AUDIT_MAX_AGE_MS;
  const overfull = extent.newestId - extent.oldestId + 1 > AUDIT_MAX_ENTRIES;
  return overfull ? Math.min(aged, now + AUDIT_OVERFLOW_TRIM_MS) : aged;
}
