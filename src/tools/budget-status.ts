import { z } from "zod";
import { defineTool, type ToolContext } from "./tool";

/** One of the bot's budgets as the budget tool shows it: whose it is, its limit, what is committed, when it resets. */
export interface BudgetLine {
  /** "Today's budget for Assistant in this room". */
  name: string;
  limitUsd: number;
  /** Spent, plus what answers still in progress hold. */
  committedUsd: number;
  /** "at 00:00 Europe/Berlin". */
  resets: string;
}

/** The budget's counters for this turn's asker and room, and nothing else of the bot's. */
export interface BudgetReader {
  lines(): Promise<BudgetLine[]>;
}

/** What the budget tool is handed: every tool's context, and the counters, for a bot with a budget. */
export interface BudgetToolContext extends ToolContext {
  budget?: BudgetReader;
}

const usd = (value: number) => (value > 0 && value < 0.01 ? "less than $0.01" : `$${value.toFixed(2)}`);

export const budgetStatus = defineTool({
  name: "budget_status",
  description:
    "How much of this bot's budget for Claude is spent and how much is left: the asker's own share today, this room's " +
    "today, and the bot's today and this month, each against its limit, and when each resets. Use it when someone asks " +
    "about the budget or what is left of it.",
  input: z.object({}),
  async run(_, { budget }: BudgetToolContext) {
    if (!budget) return "This bot has no budget: nothing limits what it spends.";
    const lines = await budget.lines();
    if (lines.length === 0) return "None of this bot's budgets applies here.";
    return [
      "Spent so far (answers in progress count with what they hold), against each limit:",
      ...lines.map(
        (line) =>
          `- ${line.name}: ${usd(line.committedUsd)} of $${line.limitUsd.toFixed(2)} spent, ${usd(Math.max(0, line.limitUsd - line.committedUsd))} left; it resets ${line.resets}.`,
      ),
    ].join("\n");
  },
});
