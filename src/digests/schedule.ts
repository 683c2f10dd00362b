import { type Cron, nextFire, parseCron } from "../cron";

// A digest subscription's policy, pure: its schedule, when it is due, and when it ends.

const DAY_MS = 86_400_000;

/** A subscription ends when its owner has not talked to the bot for this long (see README → Digests). */
export const IDLE_LIMIT_MS = 90 * DAY_MS;
/** In its last week the digest says when it will end, so its owner can keep it. */
export const IDLE_WARNING_MS = 7 * DAY_MS;
/** An ended subscription is still listed, with why it ended, for this long; then it is deleted. */
export const ENDED_KEPT_MS = 30 * DAY_MS;
/** A digest is sent at most once an hour: a summary every minute would be a flood, and a cost. */
export const MIN_GAP_MS = 3_600_000;
/** Live subscriptions one person may have with one bot, and one bot may have in all. */
export const MAX_PER_PERSON = 10;
export const MAX_PER_BOT = 500;
/** A failed firing is tried again after 5 minutes, doubling up to an hour, never past the next regular firing. */
export const RETRY_FIRST_MS = 5 * 60_000;
export const RETRY_MAX_MS = 3_600_000;

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** When a digest is sent, as the tool takes it: a cron, or a time of day and the days of the week. */
export interface ScheduleInput {
  cron?: string;
  /** "HH:MM", 24-hour, on the clocks of the subscription's time zone. */
  time?: string;
  /** Every day when absent or empty. */
  days?: Weekday[];
}

/** The five-field cron a subscription is kept as; an error says how to say it instead. */
export function digestCron({ cron, time, days }: ScheduleInput): { cron: string; parsed: Cron } | { error: string } {
  if (cron !== undefined && (time !== undefined || days?.length))
    return { error: "Give either a cron or a time (and days), not both." };
  const text = cron !== undefined ? cron.trim().split(/\s+/).join(" ") : fromClock(time, days);
  if (typeof text !== "string") return text;
  const parsed = parseCron(text);
  return "error" in parsed ? { error: parsed.error } : { cron: text, parsed };
}

function fromClock(time: string | undefined, days: Weekday[] | undefined): string | { error: string } {
  if (time === undefined) return { error: "Say when: a time such as 09:00 (and the days), or a cron." };
  const clock = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(time.trim());
  if (!clock) return { error: `"${time.slice(0, 20)}" is not a time of day; use 24-hour HH:MM, e.g. 09:00 or 17:30.` };
  const numbers = [...new Set((days ?? []).map((day) => WEEKDAYS.indexOf(day)))].sort((a, b) => a - b);
  const weekdays = numbers.length === 0 || numbers.length === 7 ? "*" : runs(numbers);
  return `${Number(clock[2])} ${Number(clock[1])} * * ${weekdays}`;
}

/** 1,2,3,4,5 → "1-5"; 1,3,5 stays a list. */
function runs(sorted: number[]): string {
  const parts: string[] = [];
  for (let start = 0; start < sorted.length; ) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end]! + 1) end++;
    parts.push(end - start >= 2 ? `${sorted[start]}-${sorted[end]}` : sorted.slice(start, end + 1).join(","));
    start = end + 1;
  }
  return parts.join(",");
}

/** Why a cron cannot schedule a digest, or null: it must fire, and at most once an hour (looked at over 48 firings). */
export function cadenceProblem(cron: Cron, from: number, timeZone: string): string | null {
  let previous = nextFire(cron, from, timeZone);
  if (previous === null) return "That schedule never comes round (e.g. 31 February); pick days that exist.";
  for (let i = 0; i < 48; i++) {
    const next = nextFire(cron, previous, timeZone);
    if (next === null) return null;
    if (next - previous < MIN_GAP_MS) return "A digest can be sent at most once an hour; choose a sparser schedule.";
    previous = next;
  }
  return null;
}

/** One subscription as its policy sees it, read once. */
export interface DigestSnapshot {
  nextDueAt: number;
  /** When its owner was last seen talking to the bot (at first: when they subscribed). */
  seenAt: number;
  /** The bot posts no digest now: an operator paused it, or its `digests` setting is off. */
  held: boolean;
}

export type DigestAction = "wait" | "fire" | "skip" | "end_idle";

/**
 * What to do with a subscription now, and when to look at it next: it ends once its owner has been idle for
 * IDLE_LIMIT_MS (even between firings), fires when due, and while the bot is held a due firing is skipped — the
 * schedule moves on and what was said waits for the next digest, which covers it.
 */
export function decideDigest(snapshot: DigestSnapshot, now: number): { action: DigestAction; wakeAt: number } {
  const idleAt = snapshot.seenAt + IDLE_LIMIT_MS;
  if (now >= idleAt) return { action: "end_idle", wakeAt: now };
  if (now < snapshot.nextDueAt) return { action: "wait", wakeAt: Math.min(snapshot.nextDueAt, idleAt) };
  return { action: snapshot.held ? "skip" : "fire", wakeAt: now };
}

/**
 * When a subscription is due next, after a run at `now`: its next regular firing, or — after its `failures`th
 * failure in a row — a retry with back-off, unless the regular firing comes first (it covers the same span and
 * more). Null when the cron never fires again.
 */
export function nextDue(
  cron: Cron,
  timeZone: string,
  now: number,
  failures = 0,
): { at: number | null; failures: number } {
  const regular = nextFire(cron, now, timeZone);
  if (failures === 0) return { at: regular, failures: 0 };
  const retry = now + Math.min(RETRY_FIRST_MS * 2 ** (failures - 1), RETRY_MAX_MS);
  return regular !== null && regular <= retry ? { at: regular, failures: 0 } : { at: retry, failures };
}

/** A subscription's schedule in words for people: "weekdays at 09:00", else the cron itself. */
export function scheduleWords(cron: string): string {
  const simple = /^(\d+) (\d+) \* \* (\S+)$/.exec(cron);
  if (!simple) return `cron "${cron}"`;
  const at = `${simple[2]!.padStart(2, "0")}:${simple[1]!.padStart(2, "0")}`;
  const days = simple[3]!;
  if (days === "*") return `every day at ${at}`;
  if (days === "1-5") return `weekdays at ${at}`;
  if (!/^[\d,-]+$/.test(days)) return `cron "${cron}"`;
  const names = days.split(",").map((part) =>
    part
      .split("-")
      .map((day) => WEEKDAYS[Number(day) % 7])
      .join("–"),
  );
  return `${names.join(", ")} at ${at}`;
}
