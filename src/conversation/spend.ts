import type { BudgetAccess } from "../budget/access";
import { costOf, estimateOf } from "../budget/cost";
import type { Settlement } from "../budget/counters";
import {
  type BudgetKind,
  type BudgetNames,
  budgetName,
  refusalSentence,
  resetPhrase,
  toMicros,
  warningSentence,
} from "../budget/policy";
import type { BotConfig, Price } from "../config";
import { ServiceFailure } from "../failure";
import type { BudgetReader } from "../tools/budget-status";
import { type Person, speaksForSomeone } from "../tools/tool";
import type { TokenUsage } from "./model";
import { estimateTokens } from "./transcript";

/** A turn a budget does not allow: it is not started, and the room is told which budget and when it resets. */
export class BudgetRefused extends Error {
  constructor(
    readonly sentence: string,
    readonly kind: BudgetKind,
  ) {
    super(sentence);
    this.name = "BudgetRefused";
  }
}

/**
 * What one run's turn holds against its bot's budget and what it has cost so far: stored with the turn's next write
 * (its answer, its failure or its apology), and settled by the conversation's next reservation or its eviction.
 */
export class TurnSpend {
  /** undefined: this run reserved nothing, so the stored reservation stands; null: none is held any more. */
  private held: Settlement | null | undefined;
  /** What this run's model calls cost, budget or not, in micro-dollars: the console's Claude cost. */
  spentMicros = 0;

  /** What the conversation holds after this run: this run's reservation, or else the one stored before it. */
  current(stored: Settlement | null): Settlement | null {
    return this.held === undefined ? stored : this.held;
  }

  /** A model call's usage, at the price of the model that made it, joins what the run spent and the reservation's cost. */
  add(usage: TokenUsage, price: Price | null): void {
    if (!price) return;
    const micros = toMicros(costOf(usage, price));
    this.spentMicros += micros;
    if (this.held) this.held = { ...this.held, costMicros: this.held.costMicros + micros };
  }

  hold(held: Settlement | null): void {
    this.held = held;
  }
}

export interface TurnToReserve {
  budget: BudgetAccess;
  spend: TurnSpend;
  bot: BotConfig;
  /** The bots this turn may consult: their calls are paid from this turn, at their models' prices. */
  consultable: BotConfig[];
  asker: Person;
  roomId: number;
  /** The conversation's stored reservation, settled by this one. */
  stored: Settlement | null;
  /** Everything the first model call sends, to estimate its size. */
  request: unknown;
  now: Date;
}

/**
 * Reserves the turn's estimate against every budget that applies, settling the previous reservation in the same
 * request. Throws `BudgetRefused` when a budget would be exceeded; returns the 80 % notices the answer carries.
 */
export async function reserveTurn(turn: TurnToReserve): Promise<string[]> {
  const { budget, spend, bot, asker } = turn;
  const unpriced = [bot, ...turn.consultable].find((b) => !b.price);
  if (unpriced)
    throw new ServiceFailure("bot", "not_configured", `no price for the model ${unpriced.model}; add it to PRICES`);
  const estimate = estimateOf(estimateTokens(JSON.stringify(turn.request)), bot.maxTokens, bot.price!);
  const answer = await budget.reserve({
    timeZone: bot.timeZone,
    now: turn.now.getTime(),
    personId: speaksForSomeone(asker) ? asker.id : null,
    roomId: turn.roomId,
    estimateMicros: toMicros(estimate),
    settle: turn.stored,
  });
  const names: BudgetNames = { bot: bot.name, person: asker.name };
  if (!answer.ok) {
    // The previous reservation was settled all the same; this turn holds nothing.
    spend.hold(null);
    throw new BudgetRefused(
      refusalSentence(answer.refused.kind, answer.refused.limitUsd, answer.refused.period, bot.timeZone, names),
      answer.refused.kind,
    );
  }
  spend.hold({ ...answer.held, costMicros: 0 });
  return answer.crossed.map((crossed) =>
    warningSentence(crossed.kind, crossed.limitUsd, crossed.period, bot.timeZone, names),
  );
}

/** The budget tool's view: the counters of the budgets that apply to this asker in this room, now. */
export function budgetReader(
  budget: BudgetAccess,
  bot: BotConfig,
  asker: Person,
  roomId: number,
  now: Date,
): BudgetReader {
  return {
    async lines() {
      const counters = await budget.status({
        timeZone: bot.timeZone,
        now: now.getTime(),
        personId: speaksForSomeone(asker) ? asker.id : null,
        roomId,
      });
      return counters.map((counter) => ({
        name: budgetName(counter.kind, { bot: bot.name, person: asker.name }),
        limitUsd: counter.limitUsd,
        committedUsd: counter.committedUsd,
        resets: resetPhrase(counter.kind, counter.period, bot.timeZone),
      }));
    },
  };
}

/** The 80 % notices at an answer's end, which the room sees but the transcript leaves out (Claude would copy them). */
const NOTICES = /(?:\n\n_\(\d+ % of [^\n]+ is used; it resets [^\n]+\.\)_)+$/;

export const withoutNotices = (markdown: string): string => markdown.replace(NOTICES, "");
