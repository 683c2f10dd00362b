import { periodsAt, startOfDay, toUsd } from "../budget/policy";
import { CLOUDFLARE_PRICES } from "../config/prices";
import type { Billing } from "../conversation/meter";
import type { TokenUsage } from "../conversation/model";
import { FAILURE_TALLIES, type FailureCounts } from "../failure";
import { HOUR_MS, type HourFigures, type SessionSummary } from "../registry/registry";
import { addCounted, countersOf } from "../registry/schema";

/** What Cloudflare bills for this work at its list prices (see CLOUDFLARE_PRICES for what that leaves out). */
export const cloudflareUsd = (billing: Billing): number =>
  billing.doRequests * CLOUDFLARE_PRICES.doRequest +
  billing.rowsRead * CLOUDFLARE_PRICES.rowRead +
  billing.rowsWritten * CLOUDFLARE_PRICES.rowWritten;

/** Of every prompt token (uncached, read from the cache, written to it), the share read from the cache; null for none. */
export function cacheReadShare(usage: TokenUsage): number | null {
  const prompt = usage.input + usage.cacheRead + usage.cacheWrite;
  return prompt === 0 ? null : usage.cacheRead / prompt;
}

/** A bot's totals as `/metrics/usage` and `/admin/console` both show them: one function, one source. */
export function usageFigures(summary: SessionSummary) {
  return {
    turns: summary.turns,
    fallbacks: summary.fallbacks,
    consultations: summary.consultations,
    tokens: summary.usage,
    billing: summary.billing,
    failures: summary.failures,
    claudeUsd: toUsd(summary.claudeMicros),
    cloudflareUsd: cloudflareUsd(summary.billing),
    cacheReadShare: cacheReadShare(summary.usage),
  };
}

export interface Point {
  /** When the hour (or the day, in the bot's time zone) begins. */
  at: string;
  turns: number;
  tokens: TokenUsage;
  cacheReadShare: number | null;
  claudeUsd: number;
  cloudflareUsd: number;
  failures: FailureCounts;
  /** The most conversations alive when one reported in the hour (the day's busiest hour, for a day). */
  alive: number;
}

function pointOf(at: number, figures: HourFigures[]): Point {
  const sum = figures.reduce(addCounted, countersOf({}));
  return {
    at: new Date(at).toISOString(),
    turns: sum.turns,
    tokens: sum.usage,
    cacheReadShare: cacheReadShare(sum.usage),
    claudeUsd: toUsd(sum.claudeMicros),
    cloudflareUsd: cloudflareUsd(sum.billing),
    failures: sum.failures,
    alive: Math.max(0, ...figures.map((hour) => hour.alive)),
  };
}

const within = (hours: HourFigures[], from: number, to: number) =>
  hours.filter((hour) => hour.hour >= from && hour.hour < to);

/** The last 24 hours (UTC hours), the current one last: every hour present, an empty one as zeros. */
export function hourlyPoints(hours: HourFigures[], now: number): Point[] {
  const current = now - (now % HOUR_MS);
  return Array.from({ length: 24 }, (_, i) => {
    const at = current - (23 - i) * HOUR_MS;
    return pointOf(at, within(hours, at, at + HOUR_MS));
  });
}

/**
 * The last 14 days in `timeZone`, today last, each the hours that begin in it (a zone half an hour off UTC counts
 * the hour across its midnight in the day it began): every day present, an empty one as zeros.
 */
export function dailyPoints(hours: HourFigures[], now: number, timeZone: string): (Point & { day: string })[] {
  const [year, month, day] = periodsAt(now, timeZone).day.slice(2).split("-").map(Number) as [number, number, number];
  return Array.from({ length: 14 }, (_, i) => {
    const back = 13 - i;
    const from = startOfDay(year, month, day - back, timeZone);
    const to = startOfDay(year, month, day - back + 1, timeZone);
    const date = new Date(Date.UTC(year, month - 1, day - back)).toISOString().slice(0, 10);
    return { day: date, ...pointOf(from, within(hours, from, to)) };
  });
}

/** Failures that are trouble (a pause or a budget refusing a turn is the operator's own doing, shown apart). */
const TROUBLE = FAILURE_TALLIES.filter((tally) => tally !== "refused");
const troubleIn = (failures: FailureCounts) => TROUBLE.reduce((sum, tally) => sum + failures[tally], 0);

/** The recent window is above normal only with at least this many failed attempts in it, and this share of them. */
const FAILING_AT_LEAST = 3;
const FAILING_SHARE = 0.1;

/**
 * Whether the last two hours' failed attempts (of answers plus failed attempts) are above normal: at least a few,
 * at least 10 %, and more than twice the share of the 14 days before them. Returns the sentence to show, or null.
 */
export function failingAboveNormal(name: string, hours: HourFigures[], now: number): string | null {
  const recentFrom = now - (now % HOUR_MS) - HOUR_MS;
  const share = (figures: HourFigures[]) => {
    const failed = figures.reduce((sum, hour) => sum + troubleIn(hour.failures), 0);
    const attempts = figures.reduce((sum, hour) => sum + hour.turns, 0) + failed;
    return { failed, attempts, share: attempts === 0 ? 0 : failed / attempts };
  };
  const recent = share(hours.filter((hour) => hour.hour >= recentFrom));
  const before = share(hours.filter((hour) => hour.hour < recentFrom));
  if (recent.failed < FAILING_AT_LEAST || recent.share < Math.max(FAILING_SHARE, 2 * before.share)) return null;
  return `${name} failed ${recent.failed} of ${recent.attempts} attempts in the last two hours (${Math.round(100 * recent.share)} %; ${Math.round(100 * before.share)} % in the 14 days before).`;
}
