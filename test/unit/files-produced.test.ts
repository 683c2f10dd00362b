import type { ContentBlock } from "@anthropic-ai/sdk/resources/messages";
import { describe, expect, it } from "vitest";
import { producedFileIds } from "../../src/anthropic/produced";

// Blocks as the Messages API returns them for a turn with the code execution tool.
const text = (t: string): ContentBlock => ({ type: "text", text: t, citations: null });
const use = (
  id: string,
  name: "bash_code_execution" | "code_execution" | "text_editor_code_execution",
  input: unknown,
): ContentBlock => ({ type: "server_tool_use", id, name, input, caller: { type: "direct" } });
const bash = (id: string, ...fileIds: string[]): ContentBlock => ({
  type: "bash_code_execution_tool_result",
  tool_use_id: id,
  content: {
    type: "bash_code_execution_result",
    stdout: "done\n",
    stderr: "",
    return_code: 0,
    content: fileIds.map((file_id) => ({ type: "bash_code_execution_output", file_id })),
  },
});
const python = (id: string, ...fileIds: string[]): ContentBlock => ({
  type: "code_execution_tool_result",
  tool_use_id: id,
  content: {
    type: "code_execution_result",
    stdout: "",
    stderr: "",
    return_code: 0,
    content: fileIds.map((file_id) => ({ type: "code_execution_output", file_id })),
  },
});

describe("producedFileIds", () => {
  it("finds the files a shell run and a Python run wrote, in answer order", () => {
    const content = [
      text("I'll build the spreadsheet."),
      use("srvtoolu_1", "bash_code_execution", { command: "python make.py" }),
      bash("srvtoolu_1", "file_011A", "file_011B"),
      use("srvtoolu_2", "code_execution", { code: "plt.savefig('chart.png')" }),
      python("srvtoolu_2", "file_011C"),
      text("Here they are."),
    ];
    expect(producedFileIds(content)).toEqual(["file_011A", "file_011B", "file_011C"]);
  });

  it("finds files in an encrypted result (code that called other tools) too", () => {
    const encrypted: ContentBlock = {
      type: "code_execution_tool_result",
      tool_use_id: "srvtoolu_3",
      content: {
        type: "encrypted_code_execution_result",
        encrypted_stdout: "EuQJCioIAhgC",
        stderr: "",
        return_code: 0,
        content: [{ type: "code_execution_output", file_id: "file_011D" }],
      },
    };
    expect(producedFileIds([use("srvtoolu_3", "code_execution", { code: "..." }), encrypted])).toEqual(["file_011D"]);
  });

  it("lists a file written twice once, where it first appeared", () => {
    expect(producedFileIds([bash("a", "file_1"), bash("b", "file_2", "file_1"), python("c", "file_2")])).toEqual([
      "file_1",
      "file_2",
    ]);
  });

  it("finds nothing in errors, text-editor results, uploads or a plain answer", () => {
    const content: ContentBlock[] = [
      {
        type: "bash_code_execution_tool_result",
        tool_use_id: "a",
        content: { type: "bash_code_execution_tool_result_error", error_code: "output_file_too_large" },
      },
      {
        type: "code_execution_tool_result",
        tool_use_id: "b",
        content: { type: "code_execution_tool_result_error", error_code: "execution_time_exceeded" },
      },
      {
        type: "text_editor_code_execution_tool_result",
        tool_use_id: "c",
        content: { type: "text_editor_code_execution_create_result", is_file_update: false },
      },
      { type: "container_upload", file_id: "file_uploaded_by_someone" },
      text("No files this time."),
    ];
    expect(producedFileIds(content)).toEqual([]);
    expect(producedFileIds([])).toEqual([]);
  });
});
