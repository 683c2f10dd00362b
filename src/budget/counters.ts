import type { BudgetLimits } from "../config/budget";
import type { BudgetKind, CounterKey } from "./policy";

/** A turn's reservation: the counters it was added to and how much. */
export interface Held {
  rows: CounterKey[];
  micros: number;
}

/** A reservation and what its turn really cost so far: settling adds the difference to the same counters. */
export interface Settlement extends Held {
  costMicros: number;
}

/** Which budgets a turn is held to: the limits in force, the bot's time zone, the moment, who asks and where. */
export interface BudgetScope {
  limits: BudgetLimits;
  timeZone: string;
  now: number;
  /** The asker; null for a scheduled turn, which speaks for no one. */
  personId: number | null;
  roomId: number;
}

export interface ReserveRequest extends BudgetScope {
  estimateMicros: number;
  /** The conversation's previous reservation and its real cost, settled in the same request. */
  settle: Settlement | null;
}

/** A budget a turn ran into: which, its limit, and the period it is for. */
export interface Crossing {
  kind: BudgetKind;
  limitUsd: number;
  period: string;
}

/** What the budget object did with a reservation, and the rows it read and wrote doing it (for the caller's bill). */
export type ReserveAnswer = ({ ok: true; held: Held; crossed: Crossing[] } | { ok: false; refused: Crossing }) & {
  rowsRead: number;
  rowsWritten: number;
};

/** One budget's counter, for the budget tool. */
export interface CounterStatus extends Crossing {
  committedUsd: number;
  endsAt: number;
}
