import { parseCron, previousFire } from "../cron";

/** One firing of a schedule as its turn's message id: a trigger delivered twice starts one turn. */
export const firingId = (cron: string, scheduledTime: number) => `schedule:${cron}:${scheduledTime}`;

/** The cron and time of a firing's message id; null for any other message. */
export function readFiringId(messageId: string): { cron: string; time: number } | null {
  const match = /^schedule:(.+):(\d+)$/.exec(messageId);
  return match ? { cron: match[1]!, time: Number(match[2]) } : null;
}

/**
 * What a firing covers: from the cron's previous firing up to this one, on UTC clocks as Cron Triggers run. Both
 * ends come from the cron alone, never from when the trigger arrived or what a conversation remembers, so a trigger
 * delivered late covers the same span, one delivered twice the same span again, and one firing ends where the next
 * begins. `scheduledTime` is taken back to the firing it belongs to (at or before it).
 */
export function firingSpan(cron: string, scheduledTime: number): { since: number; until: number } {
  const parsed = parseCron(cron);
  if ("error" in parsed) throw new Error(`schedule cron "${cron}" does not parse: ${parsed.error}`);
  const until = previousFire(parsed, scheduledTime) ?? scheduledTime;
  // A cron that never fired before this one (none in 28 years) covers what the room still holds.
  return { since: previousFire(parsed, until - 1) ?? 0, until };
}
