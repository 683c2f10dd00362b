import type { Tool as ToolDefinition } from "@anthropic-ai/sdk/resources/messages";
import { z } from "zod";
import type { Room } from "../campfire/room";
import { kept } from "../keep";

/** A person Campfire vouched for: the sender of the newest message of the turn. */
export interface Person {
  id: number;
  name: string;
}

/** A scheduled turn's asker (user id 0) speaks for no one: it has no memory, and no tool acts for it. */
export const speaksForSomeone = (person: Person): boolean => person.id > 0;

/** A pending reminder as the tools show it. */
export interface ReminderEntry {
  id: number;
  dueAt: number;
  text: string;
  forUser: string;
  forUserId: number;
}

/** The reminders of this conversation, as tools may touch them. */
export interface ReminderBook {
  add(dueAt: number, text: string, forUser: Person): number;
  all(): ReminderEntry[];
  cancel(id: number): boolean;
}

/**
 * Everything every tool may touch: this conversation's room (through this bot's key) and its reminders, on behalf
 * of the person who asked in this turn. Nothing a tool reads — room context, a web page — can change who that is.
 * A feature's tools extend it where the feature lives (its libraries in knowledge/, the asker's memory in memory/).
 */
export interface ToolContext {
  botId: string;
  room: Room;
  reminders: ReminderBook;
  asker: Person;
  /** Campfire's id of the asker's first message in this turn; absent for a scheduled turn or a payload without ids. */
  askerMessageId?: number;
  timeZone: string;
  now: Date;
  /** How many more rounds of tool calls the turn may run after this one (`max_tool_rounds` bounds it); absent outside a turn. */
  toolRoundsLeft?: number;
}

/** A tool Claude can call: adding one is adding one file that exports one of these. */
export interface Tool<Input extends z.ZodType = z.ZodType, Context extends ToolContext = ToolContext> {
  name: string;
  description: string;
  input: Input;
  /** It acts for the asker (their own reminders): a turn offering it holds one person's messages, and speaks for someone. */
  forAsker?: true;
  run(input: z.infer<Input>, context: Context): Promise<string>;
}

/** A tool, its name kept as written so the tools' index can be checked against the names config accepts. */
export const defineTool = <
  Input extends z.ZodType,
  Context extends ToolContext = ToolContext,
  Name extends string = string,
>(
  tool: Tool<Input, Context> & { name: Name },
): Tool<Input, Context> & { name: Name } => tool;

/** A failure to show Claude as the tool's result (`is_error: true`), worded so it can recover. */
export class ToolError extends Error {}

/** Definitions already built: turning a zod schema into JSON Schema is the costliest part of offering a tool. */
const definitions = new WeakMap<Tool, ToolDefinition>();

/**
 * What zod writes that tells Claude nothing and costs tokens in every request: the safe-integer bounds of every
 * `.int()`, and every object's `additionalProperties: false` (zod drops keys it does not know, it does not refuse them).
 */
const unbounded = (_key: string, value: unknown) =>
  value && typeof value === "object" && !Array.isArray(value)
    ? Object.fromEntries(
        Object.entries(value).filter(
          ([key, bound]) =>
            !(
              (key === "maximum" && bound === Number.MAX_SAFE_INTEGER) ||
              (key === "minimum" && bound === Number.MIN_SAFE_INTEGER) ||
              (key === "additionalProperties" && bound === false)
            ),
        ),
      )
    : value;

/** What Claude is told about a tool: its zod schema as JSON Schema (zod still checks the bounds it leaves out). */
export function toolDefinition(tool: Tool): ToolDefinition {
  return kept(definitions, tool, () => {
    const { $schema: _, ...schema } = JSON.parse(JSON.stringify(z.toJSONSchema(tool.input)), unbounded) as Record<
      string,
      unknown
    >;
    return { name: tool.name, description: tool.description, input_schema: schema as ToolDefinition["input_schema"] };
  });
}
