import type { BudgetLimits } from "../config/budget";
import type { BudgetScope, CounterStatus, ReserveAnswer, ReserveRequest, Settlement } from "./counters";

/** Rows a request to the budget object read and wrote, for the caller's bill. */
export type RowsBilled = { rowsRead: number; rowsWritten: number };

/** One bot's budget as a turn reaches it: the limits in force, and its counters' object. */
export interface BudgetAccess {
  limits: BudgetLimits;
  reserve(request: Omit<ReserveRequest, "limits">): Promise<ReserveAnswer>;
  status(scope: Omit<BudgetScope, "limits">): Promise<CounterStatus[]>;
}

/** The counters' Durable Object of a bot. */
export const budgetObject = (env: Env, botId: string) => env.BUDGETS.getByName(`budget:${botId}`);

/** A bot's budget under `limits`; `onRequest` is told of each request to its object and the rows that request cost. */
export function budgetAccess(
  env: Env,
  botId: string,
  limits: BudgetLimits,
  onRequest: (rows: RowsBilled) => void,
): BudgetAccess {
  const counters = budgetObject(env, botId);
  return {
    limits,
    async reserve(request) {
      const answer = await counters.reserve({ ...request, limits });
      onRequest(answer);
      return answer;
    },
    async status(scope) {
      onRequest({ rowsRead: 0, rowsWritten: 0 });
      return counters.status({ ...scope, limits });
    },
  };
}

/** Settles a conversation's last reservation as it ends: one request, only when it holds one. */
export async function settleLast(env: Env, botId: string, settlement: Settlement): Promise<RowsBilled> {
  return budgetObject(env, botId).settle(settlement);
}
