import type { Room } from "../campfire/room";
import type { BotConfig } from "../config";
import { pausedSentence } from "../control/status";
import type { DigestsApi } from "../digests/access";
import type { KnowledgeAccess } from "../knowledge/access";
import type { TasksApi } from "../memory/tasks-tool";
import type { MemoryApi } from "../memory/tool";
import { type Person, ToolError } from "../tools/tool";
import { consultBot } from "./consult";
import type { AuditSink } from "./effects";
import { addUsage, type Model, NO_USAGE, type TokenUsage } from "./model";
import type { ReminderStore } from "./reminder-store";
import type { TurnSpend } from "./spend";
import type { PendingMessage } from "./state";
import type { TurnToolContext } from "./toolbox";

/** What lies beyond the conversation that a turn may reach, bound by the edge for this bot. */
export interface Reach {
  knowledge(bot: BotConfig): KnowledgeAccess | undefined;
  /** The person's memory with the bot; fixed for the whole turn, so nothing in it can reach another person's. */
  memory(bot: BotConfig, person: Person): MemoryApi | undefined;
  /** The person's digest subscriptions with the bot, in this room (by its name); fixed for the turn like memory. */
  digests(bot: BotConfig, person: Person, roomName: string): DigestsApi | undefined;
  /** The person's task list with the bot, fixed for the whole turn like their memory. */
  tasks(bot: BotConfig, person: Person): TasksApi | undefined;
  bot(id: string): BotConfig | undefined;
  /** A consulted bot's usage, to count under that bot too. */
  consulted(botId: string, usage: TokenUsage): void;
  /** Records what a tool run changed in that bot's audit log. */
  audit: AuditSink;
  /** Whether an operator has paused the bot: a paused bot answers no consultation either. */
  paused(botId: string): Promise<boolean>;
}

export interface TurnTools {
  reach: Reach;
  bot: BotConfig;
  room: Room;
  roomName: string;
  reminders: ReminderStore;
  asker: Person;
  /** The messages the turn answers. */
  pending: PendingMessage[];
  now: Date;
  memory: MemoryApi | undefined;
  model: Model;
  signal: AbortSignal;
  onAsk: () => void;
  spend: TurnSpend;
}

/** What the turn hands its tools, consulting another bot included, and what the bots it consulted have used so far. */
export function turnTools(turn: TurnTools): { toolContext: TurnToolContext; consultUsage: () => TokenUsage } {
  const { reach, bot, asker } = turn;
  let consultUsage: TokenUsage = { ...NO_USAGE };
  const toolContext: TurnToolContext = {
    botId: bot.id,
    room: turn.room,
    reminders: turn.reminders,
    asker,
    // Their first: what they had not seen when they asked lies before it.
    askerMessageId: turn.pending.find((message) => message.userId === asker.id)?.messageId ?? undefined,
    timeZone: bot.timeZone,
    now: turn.now,
    knowledge: reach.knowledge(bot),
    memory: turn.memory,
    digests: reach.digests(bot, asker, turn.roomName),
    tasks: reach.tasks(bot, asker),
  };
  toolContext.consult = async (otherId, question) => {
    const other = reach.bot(otherId)!;
    if (await reach.paused(otherId)) throw new ToolError(`${pausedSentence(other.name)} Answer without it.`);
    // Paid from this turn's reservation, at the consulted bot's model's price.
    const answer = await consultBot({
      model: turn.model,
      caller: bot,
      other,
      question,
      context: toolContext,
      knowledge: reach.knowledge(other),
      signal: turn.signal,
      onAsk: turn.onAsk,
      onUsage: (usage) => turn.spend.add(usage, other.price),
      audit: reach.audit,
    });
    consultUsage = addUsage(consultUsage, answer.usage);
    reach.consulted(otherId, answer.usage);
    return answer.text;
  };
  return { toolContext, consultUsage: () => consultUsage };
}
