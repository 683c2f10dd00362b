import { describe, expect, it } from "vitest";
import { splitMarkdown } from "../../src/campfire/split";

/** Whether every fence opened in a chunk is closed in the same chunk. */
const balanced = (chunk: string) => (chunk.match(/^```/gm) ?? []).length % 2 === 0;

describe("splitMarkdown", () => {
  it("keeps a short answer whole", () => {
    expect(splitMarkdown("Hello\n\nWorld", 100)).toEqual(["Hello\n\nWorld"]);
  });

  it("splits at paragraph boundaries, filling each message up to the limit", () => {
    const paragraphs = Array.from({ length: 6 }, (_, i) => `Paragraph ${i} ${"x".repeat(30)}`);
    const chunks = splitMarkdown(paragraphs.join("\n\n"), 100);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(100);
    expect(chunks.join("\n\n")).toBe(paragraphs.join("\n\n"));
  });

  it("never splits inside a code block that fits, even with blank lines in it", () => {
    const code = "```js\nconst a = 1;\n\nconst b = 2;\n```";
    const text = `${"intro ".repeat(10).trim()}\n\n${code}\n\nafter`;
    const chunks = splitMarkdown(text, 70);
    expect(chunks.some((chunk) => chunk.includes(code))).toBe(true);
    for (const chunk of chunks) expect(balanced(chunk)).toBe(true);
  });

  it("cuts a code block longer than a message by lines, fencing each piece again", () => {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`);
    const chunks = splitMarkdown(["```python", ...lines, "```"].join("\n"), 120);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(120);
      expect(chunk.startsWith("```python\n")).toBe(true);
      expect(chunk.endsWith("\n```")).toBe(true);
    }
    expect(chunks.flatMap((c) => c.split("\n").slice(1, -1))).toEqual(lines);
  });

  it("cuts an endless paragraph at spaces", () => {
    const words = Array.from({ length: 200 }, (_, i) => `word${i}`).join(" ");
    const chunks = splitMarkdown(words, 100);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(100);
    expect(chunks.join(" ")).toBe(words);
  });
});
