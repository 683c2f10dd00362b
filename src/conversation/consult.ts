import type { BotConfig } from "../config";
import { fillPlaceholders } from "../config/prompt-text";
import type { KnowledgeToolContext } from "../knowledge/access";
import type { ToolContext } from "../tools/tool";
import type { AuditSink } from "./effects";
import type { Model, TokenUsage } from "./model";
import { runModelLoop } from "./model-loop";
import { toolbox, toolsFor } from "./toolbox";

export interface Consultation {
  model: Model;
  caller: BotConfig;
  /** The bot asked, as configured: its prompt, model, tools and knowledge. */
  other: BotConfig;
  question: string;
  /** The caller's tool context: the asker and the clock carry over; the room, reminders and memory do not. */
  context: ToolContext;
  knowledge: KnowledgeToolContext["knowledge"];
  signal: AbortSignal;
  onAsk: () => void;
  onUsage?: (usage: TokenUsage) => void;
  audit?: AuditSink;
}

/**
 * One turn of another bot, on a question the caller hands it: its prompt, model, server tools and knowledge, but
 * not its room, its memory of people, nor bots of its own to consult (one level deep). Bounded by the caller's
 * turn: same time limit, and its usage is the caller's turn's too.
 */
export async function consultBot(c: Consultation): Promise<{ text: string; usage: TokenUsage }> {
  const other: BotConfig = {
    ...c.other,
    tools: [],
    memoryTtlMs: null,
    digests: false,
    tasks: false,
    consult: [],
    codeExecution: false,
    skills: [],
  };
  const tools = toolbox(other, [], c.context.asker);
  const system = [
    // It is in no room: a prompt that names its room reads that it was consulted instead.
    fillPlaceholders(other.systemPrompt, {
      bot_name: other.name,
      room_name: `no room (consulted by ${c.caller.name})`,
      time_zone: other.timeZone,
    }).trim(),
    `You are ${other.name}. Another bot, ${c.caller.name}, consults you on behalf of ${c.context.asker.name} in a Campfire chat. ` +
      "Answer its question directly and completely; your answer goes back to that bot, not to a room. Format in Markdown.",
  ]
    .filter(Boolean)
    .join("\n\n");
  const answer = await runModelLoop({
    model: c.model,
    bot: other,
    system: [{ type: "text", text: system }],
    messages: [{ role: "user", content: c.question }],
    tools: toolsFor(other, tools, false),
    toolbox: tools,
    signal: c.signal,
    onAsk: c.onAsk,
    onUsage: c.onUsage,
    audit: c.audit,
    onText: () => {},
    toolContext: {
      botId: other.id,
      room: c.context.room,
      reminders: c.context.reminders,
      asker: c.context.asker,
      timeZone: other.timeZone,
      now: c.context.now,
      knowledge: c.knowledge,
    },
  });
  return { text: answer.text || "(no answer)", usage: answer.usage };
}
