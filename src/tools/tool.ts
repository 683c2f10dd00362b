import type { Tool as ToolDefinition } from "@anthropic-ai/sdk/resources/messages";
import { z } from "zod";
import type { Room } from "../campfire/room";
import type { Reminder } from "../conversation/reminder-store";
import type { KnowledgeAccess } from "../knowledge/access";
import type { MemoryApi } from "../memory/tool";

/** A person Campfire vouched for: the sender of the newest message of the turn. */
export interface Person {
  id: number;
  name: string;
}

/** A scheduled turn's asker (user id 0) speaks for no one: it has no memory, and no tool acts for it. */
export const speaksForSomeone = (person: Person): boolean => person.id > 0;

/** The reminders of this conversation, as tools may touch them. */
export interface ReminderBook {
  add(dueAt: number, text: string, forUser: Person): number;
  all(): Reminder[];
  cancel(id: number): boolean;
}

/**
 * Everything a tool may touch: this conversation's room (through this bot's key) and its reminders, on behalf
 * of the person who asked in this turn. Nothing a tool reads — room context, a web page — can change who that is.
 */
export interface ToolContext {
  botId: string;
  room: Room;
  reminders: ReminderBook;
  asker: Person;
  timeZone: string;
  now: Date;
  /** The knowledge libraries this bot may read and write; absent for a bot without `knowledge`. */
  knowledge?: KnowledgeAccess;
  /** The asker's memory with this bot, bound when the turn started; absent for a bot without `memory`. */
  memory?: MemoryApi;
  /** Hands a question to another bot for one turn and resolves with its answer; absent where consulting is not allowed. */
  consult?: (botId: string, question: string) => Promise<string>;
}

/** A tool Claude can call: adding one is adding one file that exports one of these. */
export interface Tool<Input extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  input: Input;
  /** It acts for the asker (their own reminders): a turn offering it holds one person's messages, and speaks for someone. */
  forAsker?: true;
  run(input: z.infer<Input>, context: ToolContext): Promise<string>;
}

export const defineTool = <Input extends z.ZodType>(tool: Tool<Input>): Tool<Input> => tool;

/** A failure to show Claude as the tool's result (`is_error: true`), worded so it can recover. */
export class ToolError extends Error {}

/** Definitions already built: turning a zod schema into JSON Schema is the costliest part of offering a tool. */
const definitions = new WeakMap<Tool, ToolDefinition>();

/** What Claude is told about a tool: its zod schema as JSON Schema. */
export function toolDefinition(tool: Tool): ToolDefinition {
  let definition = definitions.get(tool);
  if (!definition) {
    const { $schema: _, ...schema } = z.toJSONSchema(tool.input) as Record<string, unknown>;
    definitions.set(tool, (definition = { name: tool.name, description: tool.description, input_schema: schema as ToolDefinition["input_schema"] }));
  }
  return definition;
}
