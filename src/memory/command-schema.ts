import type { BetaMemoryTool20250818Command } from "@anthropic-ai/sdk/resources/beta/messages/messages";
import { z } from "zod";

/** One call of Anthropic's memory tool (`memory_20250818`), exactly as the SDK types it. */
export type MemoryCommand = BetaMemoryTool20250818Command;

const path = z.string().describe("A path under /memories");

// The annotation makes tsc prove the schema accepts nothing the SDK's command type would not.
const commandSchema: z.ZodType<MemoryCommand> = z.discriminatedUnion("command", [
  z.object({
    command: z.literal("view"),
    path,
    view_range: z
      .tuple([z.number().int(), z.number().int()])
      .optional()
      .describe("[first line, last line], 1-based; -1 as the last means to the end"),
  }),
  z.object({ command: z.literal("create"), path, file_text: z.string() }),
  z.object({ command: z.literal("str_replace"), path, old_str: z.string(), new_str: z.string() }),
  z.object({ command: z.literal("insert"), path, insert_line: z.number().int(), insert_text: z.string() }),
  z.object({ command: z.literal("delete"), path }),
  z.object({ command: z.literal("rename"), old_path: path, new_path: path }),
]);

/** Reads a tool input into a command, or says what does not fit so Claude can send it again. */
export function parseMemoryCommand(input: unknown): { command: MemoryCommand } | { error: string } {
  const parsed = commandSchema.safeParse(input);
  if (parsed.success) return { command: parsed.data };
  return {
    error:
      `The input does not fit the memory tool: ${z.prettifyError(parsed.error)}\n` +
      "Commands: view {path, view_range?}, create {path, file_text}, str_replace {path, old_str, new_str}, " +
      "insert {path, insert_line, insert_text}, delete {path}, rename {old_path, new_path}.",
  };
}
