import type { ContentBlock } from "@anthropic-ai/sdk/resources/messages";
import { describe, expect, it } from "vitest";
import { answerText } from "../../src/objects/claude";

const text = (words: string) => ({ type: "text", text: words, citations: null }) as ContentBlock;
const codeRun = [
  { type: "server_tool_use", id: "srvtoolu_1", name: "bash_code_execution", input: { command: "python make.py" } },
  {
    type: "bash_code_execution_tool_result",
    tool_use_id: "srvtoolu_1",
    content: { type: "bash_code_execution_result", stdout: "", stderr: "", return_code: 0, content: [] },
  },
] as unknown as ContentBlock[];

describe("answerText (an answer's words from its blocks)", () => {
  it("keeps the text before and after code execution apart, as paragraphs", () => {
    expect(answerText([text("I'll write the files."), ...codeRun, text("Here is the file.")])).toBe(
      "I'll write the files.\n\nHere is the file.",
    );
  });

  it("joins adjacent text blocks as they are: a cited passage is a block of its own, mid-sentence", () => {
    expect(answerText([text("The report says "), text("revenue grew 4%"), text(" last year.")])).toBe(
      "The report says revenue grew 4% last year.",
    );
  });

  it("leaves no empty paragraph for code run before any words, after them, or twice in a row", () => {
    expect(answerText([...codeRun, text(" Done. "), ...codeRun, ...codeRun])).toBe("Done.");
    expect(answerText(codeRun)).toBe("");
  });
});
