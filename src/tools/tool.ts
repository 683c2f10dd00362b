import type { Tool as ToolDefinition } from "@anthropic-ai/sdk/resources/messages";
import { z } from "zod";
import type { CampfireClient } from "../campfire";
import type { ConversationStore } from "../conversation/store";
import type { KnowledgeAccess } from "../knowledge/access";

/** Everything a tool may touch: this conversation's room, through this bot's key, and nothing else. */
export interface ToolContext {
  botId: string;
  roomId: number;
  timeZone: string;
  now: Date;
  /** Who asked, for reminders ("for Ada Lovelace"). */
  userName: string;
  campfire: CampfireClient;
  /** This room's bot-messages path; tools never build another. */
  path: string;
  store: ConversationStore;
  /** The knowledge libraries this bot may read and write; absent for a bot without `knowledge`. */
  knowledge?: KnowledgeAccess;
}

/** A tool Claude can call: adding one is adding one file that exports one of these. */
export interface Tool<Input extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  input: Input;
  run(input: z.infer<Input>, context: ToolContext): Promise<string>;
}

export const defineTool = <Input extends z.ZodType>(tool: Tool<Input>): Tool<Input> => tool;

/** A failure to show Claude as the tool's result (`is_error: true`), worded so it can recover. */
export class ToolError extends Error {}

/** What Claude is told about a tool: its zod schema as JSON Schema. */
export function toolDefinition(tool: Tool): ToolDefinition {
  const { $schema: _, ...schema } = z.toJSONSchema(tool.input) as Record<string, unknown>;
  return { name: tool.name, description: tool.description, input_schema: schema as ToolDefinition["input_schema"] };
}
