import { z } from "zod";

/** What a bot may spend on Claude, in US dollars; a limit left out is no limit. */
export interface BudgetLimits {
  dailyUsd?: number;
  monthlyUsd?: number;
  perPersonDailyUsd?: number;
  perRoomDailyUsd?: number;
}

const usd = z.number().positive("must be a positive number of US dollars");

/** A budget as written in wrangler.toml (`budget = { daily_usd = 20 }`) or sent as JSON: any subset of the limits. */
export const budgetSchema = z
  .strictObject({ daily_usd: usd.optional(), monthly_usd: usd.optional(), per_person_daily_usd: usd.optional(), per_room_daily_usd: usd.optional() })
  .transform(
    (entry): BudgetLimits => ({
      ...(entry.daily_usd !== undefined && { dailyUsd: entry.daily_usd }),
      ...(entry.monthly_usd !== undefined && { monthlyUsd: entry.monthly_usd }),
      ...(entry.per_person_daily_usd !== undefined && { perPersonDailyUsd: entry.per_person_daily_usd }),
      ...(entry.per_room_daily_usd !== undefined && { perRoomDailyUsd: entry.per_room_daily_usd }),
    }),
  );
