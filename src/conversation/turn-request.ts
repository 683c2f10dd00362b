import type { TextBlockParam, ToolUnion } from "@anthropic-ai/sdk/resources/messages";
import type { BotConfig } from "../config";
import { tasksPrompt } from "../memory/tasks-tool";
import { memoryOwner, memoryPrompt } from "../memory/tool";
import { budgetStatus } from "../tools/budget-status";
import type { Person } from "../tools/tool";
import type { CachePlan } from "./cache-ttl";
import type { RequestMessage } from "./model";
import { buildPrompt, composeTurn, currentTime, systemPrompt } from "./prompt";
import type { PendingMessage } from "./state";
import type { ConversationStore } from "./store";
import { actsForPeople, type Toolbox, toolbox, toolsFor } from "./toolbox";
import type { History, RoomContext } from "./transcript";

// The turn's inputs, pure: which waiting messages it answers, and the request it sends the model.

/** At most this many waiting messages make one turn; a bigger burst is answered in several. */
export const MESSAGES_PER_TURN = 20;

/**
 * The waiting messages one turn answers, from the oldest waiting ones. For a bot that acts for people (memory,
 * reminders) it is the oldest sender's leading run only: the turn acts for its newest sender, so no one's words may
 * share a turn with another's and reach their memory or reminders. Otherwise everyone waiting is answered together.
 * Always a leading run, so settling up to its last seq settles exactly these.
 */
export function turnBatch<T extends Pick<PendingMessage, "userId">>(pending: T[], personScoped: boolean): T[] {
  if (!personScoped) return pending;
  const next = pending.findIndex((message) => message.userId !== pending[0]!.userId);
  return next === -1 ? pending : pending.slice(0, next);
}

/** What the next turn answers; the turn and an apology for it must settle the very same messages. */
export function nextBatch(store: ConversationStore, bot: BotConfig): PendingMessage[] {
  return turnBatch(store.pending(MESSAGES_PER_TURN), actsForPeople(bot));
}

/** What a turn has read, from which it asks the model. */
export interface TurnInput {
  bot: BotConfig;
  roomName: string;
  /** The history as this turn sends it: the summary of what was dropped, and the turns within the bot's budget. */
  history: History;
  pending: Pick<PendingMessage, "userName" | "text">[];
  /** Room messages since the transcript's last, framed as data; null when there are none. */
  context: RoomContext | null;
  now: Date;
  asker: Person;
  /** Whether the asker's memory is open in this turn. */
  memory: boolean;
  /** The bots this one may consult. */
  consultable: BotConfig[];
  /** The ttl of each cache breakpoint. */
  cache: CachePlan;
  /** A bot with a budget can always be asked what is left of it. */
  budgeted?: boolean;
}

/** The turn's request to the model — prompt, tools and cache breakpoints — and the custom tools it may call. */
export function turnRequest({
  bot,
  roomName,
  history,
  pending,
  context,
  now,
  asker,
  memory,
  consultable,
  cache,
  budgeted = false,
}: TurnInput): {
  prompt: string;
  system: TextBlockParam[];
  messages: RequestMessage[];
  tools: ToolUnion[];
  custom: Toolbox;
} {
  const prompt = composeTurn(pending);
  const system = systemPrompt(bot, roomName, [
    bot.knowledge.read.length
      ? `Your knowledge libraries: ${bot.knowledge.read.join(", ")}. Search them before answering questions they may cover, and cite the document (title and id) you used.`
      : "",
    memory ? memoryPrompt(bot.memoryTtlMs!) : "",
    memory && bot.tasks ? tasksPrompt(bot.timeZone, bot.tools.includes("set_reminder")) : "",
  ]);
  const extra = [memory ? memoryOwner(asker.name) : "", currentTime(now, bot.timeZone)].filter(Boolean).join("\n\n");
  const built = buildPrompt(system, history, prompt, context?.text ?? "", extra, cache);
  const custom = toolbox(bot, consultable, asker);
  if (budgeted) custom.set(budgetStatus.name, budgetStatus);
  return { prompt, ...built, tools: toolsFor(bot, custom, memory), custom };
}
