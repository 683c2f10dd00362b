import type { BudgetLimits } from "../config/budget";

/** A budget as operators write it (wrangler.toml, the admin API): snake_case, only the limits that are set. */
export function budgetEntry(limits: BudgetLimits): Record<string, number> {
  const entry: Record<string, number> = {};
  if (limits.dailyUsd !== undefined) entry.daily_usd = limits.dailyUsd;
  if (limits.monthlyUsd !== undefined) entry.monthly_usd = limits.monthlyUsd;
  if (limits.perPersonDailyUsd !== undefined) entry.per_person_daily_usd = limits.perPersonDailyUsd;
  if (limits.perRoomDailyUsd !== undefined) entry.per_room_daily_usd = limits.perRoomDailyUsd;
  return entry;
}
