import { z } from "zod";

/** Most a bot may spend on Claude, in US dollars: per day and per month in its time zone, per person and per room per day. */
export interface BudgetLimits {
  dailyUsd?: number;
  monthlyUsd?: number;
  perPersonDailyUsd?: number;
  perRoomDailyUsd?: number;
}

const usd = z.number().positive("must be a positive amount of US dollars, e.g. 5 or 0.5");

/** A budget as written in wrangler.toml or an admin request's JSON: any subset of the four limits. */
export const budgetSchema = z.strictObject({
  daily_usd: usd.optional(),
  monthly_usd: usd.optional(),
  per_person_daily_usd: usd.optional(),
  per_room_daily_usd: usd.optional(),
});

/** The written form's limits; null when it sets none, which is no budget at all. */
export function budgetLimits(entry: z.infer<typeof budgetSchema> | undefined): BudgetLimits | null {
  if (!entry) return null;
  const limits: BudgetLimits = {
    ...(entry.daily_usd !== undefined ? { dailyUsd: entry.daily_usd } : {}),
    ...(entry.monthly_usd !== undefined ? { monthlyUsd: entry.monthly_usd } : {}),
    ...(entry.per_person_daily_usd !== undefined ? { perPersonDailyUsd: entry.per_person_daily_usd } : {}),
    ...(entry.per_room_daily_usd !== undefined ? { perRoomDailyUsd: entry.per_room_daily_usd } : {}),
  };
  return Object.keys(limits).length ? limits : null;
}
