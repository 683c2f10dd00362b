import type { ContentBlock } from "@anthropic-ai/sdk/resources/messages";

/**
 * The ids of the files Claude's code execution wrote in an answer, first seen first, each once. Python runs
 * (`code_execution_result`, or `encrypted_code_execution_result` when the code called other tools) and shell
 * runs (`bash_code_execution_result`) list their output files; errors and text-editor results carry none, and a
 * `container_upload` block is a file someone gave the container, not one it produced.
 */
export function producedFileIds(content: readonly ContentBlock[]): string[] {
  const ids = new Set<string>();
  for (const block of content) {
    const result =
      block.type === "code_execution_tool_result" || block.type === "bash_code_execution_tool_result"
        ? block.content
        : null;
    if (!result || !("content" in result)) continue;
    for (const output of result.content) ids.add(output.file_id);
  }
  return [...ids];
}
