import { describe, expect, it } from "vitest";
import {
  CHUNK_CHARS,
  CHUNK_WORDS,
  chunkMarkdown,
  HEADING_CHARS,
  HEADING_SEPARATOR,
  TRAIL_CHARS,
} from "../../src/knowledge/chunk";

const words = (n: number, word = "lorem") => Array.from({ length: n }, (_, i) => `${word}${i}`).join(" ");
const count = (text: string) => text.split(/\s+/).filter(Boolean).length;

describe("chunkMarkdown", () => {
  it("gives each section its own chunk with the trail of headings above it", () => {
    const chunks = chunkMarkdown(
      [
        "# Leave",
        "Everyone gets leave.",
        "## Parental leave",
        "Sixteen weeks, paid.",
        "### Adoption",
        "Same as birth.",
        "## Sick leave",
        "Tell your lead.",
      ].join("\n\n"),
    );
    expect(chunks).toEqual([
      { heading: "Leave", text: "Everyone gets leave." },
      { heading: "Leave › Parental leave", text: "Sixteen weeks, paid." },
      { heading: "Leave › Parental leave › Adoption", text: "Same as birth." },
      { heading: "Leave › Sick leave", text: "Tell your lead." },
    ]);
  });

  it("keeps text before the first heading, with no trail", () => {
    expect(chunkMarkdown("Plain text, no headings at all.\n\nA second paragraph.")).toEqual([
      { heading: "", text: "Plain text, no headings at all.\n\nA second paragraph." },
    ]);
  });

  it("splits a long section between paragraphs into parts of similar size, none too long", () => {
    const paragraphs = Array.from({ length: 10 }, (_, i) => words(60, `p${i}w`));
    const chunks = chunkMarkdown(`## Expenses\n\n${paragraphs.join("\n\n")}`);
    expect(chunks.length).toBe(2);
    for (const chunk of chunks) {
      expect(chunk.heading).toBe("Expenses");
      expect(count(chunk.text)).toBeLessThanOrEqual(CHUNK_WORDS.max);
      expect(count(chunk.text)).toBeGreaterThanOrEqual(CHUNK_WORDS.min);
    }
    // No paragraph is cut: every chunk starts and ends on a paragraph boundary.
    expect(chunks.map((c) => c.text).join("\n\n")).toBe(paragraphs.join("\n\n"));
  });

  it("cuts a single paragraph longer than a chunk between words, losing none", () => {
    const long = words(1000);
    const chunks = chunkMarkdown(long);
    expect(chunks.length).toBe(3);
    expect(chunks.every((c) => count(c.text) <= CHUNK_WORDS.max)).toBe(true);
    expect(chunks.map((c) => c.text).join(" ")).toBe(long);
  });

  it("never treats a # line inside a code block as a heading, nor splits the block at its blank lines", () => {
    const code = "```sh\n# install\n\nnpm ci\n```";
    const chunks = chunkMarkdown(`# Setup\n\nRun this:\n\n${code}\n\nDone.`);
    expect(chunks).toEqual([{ heading: "Setup", text: `Run this:\n\n${code}\n\nDone.` }]);
  });

  it("moves a code block whole to the next chunk rather than cutting it", () => {
    const code = "```\n" + words(100, "code") + "\n```";
    const chunks = chunkMarkdown(`# Guide\n\n${words(350)}\n\n${code}`);
    expect(chunks.map((c) => c.text)).toEqual([words(350), code]);
  });

  it("returns nothing for a document with no text, and ignores headings with nothing under them", () => {
    expect(chunkMarkdown("  \n\n \r\n")).toEqual([]);
    expect(chunkMarkdown("# Title\n\n## Empty\n\n## Full\n\ntext")).toEqual([
      { heading: "Title › Full", text: "text" },
    ]);
  });

  it("reads Windows line endings and closing hashes of headings", () => {
    expect(chunkMarkdown("## Office ##\r\n\r\nDoors open at 8.")).toEqual([
      { heading: "Office", text: "Doors open at 8." },
    ]);
  });

  it("cuts a huge heading, so 1 000 one-word sections under it do not each repeat it whole", () => {
    // The document of issue #18: a 24 KB top heading, then 1 000 sections of one word.
    const top = "Policies and procedures ".repeat(1_000);
    const chunks = chunkMarkdown(
      `# ${top}\n\n${Array.from({ length: 1_000 }, (_, i) => `## Part ${i}\n\nword${i}`).join("\n\n")}`,
    );
    expect(chunks.length).toBe(1_000);
    chunks.forEach((chunk, i) => {
      expect(chunk.heading.length).toBeLessThanOrEqual(TRAIL_CHARS);
      expect(chunk.heading).toMatch(new RegExp(`^Policies and procedures .*… › Part ${i}$`));
    });
    const stored = chunks.reduce((sum, chunk) => sum + chunk.heading.length + chunk.text.length, 0);
    expect(stored).toBeLessThan(1_000 * (HEADING_CHARS + 30));
  });

  it("keeps the deepest headings of a long trail, standing in for the top ones with …", () => {
    const headings = [1, 2, 3, 4, 5, 6].map((level) => `Level ${level} ${"words ".repeat(20)}`.trim());
    const [chunk] = chunkMarkdown(
      `${headings.map((heading, i) => `${"#".repeat(i + 1)} ${heading}`).join("\n\n")}\n\nThe text.`,
    );
    expect(chunk!.heading.length).toBeLessThanOrEqual(TRAIL_CHARS);
    expect(chunk!.heading.split(HEADING_SEPARATOR)).toEqual(["…", ...headings.slice(-2)]);
  });

  it("keeps every passage within CHUNK_CHARS, cutting a word longer than that and losing none of it", () => {
    const huge = "x".repeat(3 * CHUNK_CHARS + 5);
    const emoji = "😀".repeat(CHUNK_CHARS);
    const chunks = chunkMarkdown(
      `# Data\n\nbefore ${huge} after\n\n${emoji}\n\n\`\`\`\n${"y".repeat(2 * CHUNK_CHARS)}\n\`\`\``,
    );
    expect(chunks.every((chunk) => chunk.text.length <= CHUNK_CHARS)).toBe(true);
    // No emoji is cut in half.
    expect(chunks.every((chunk) => chunk.text.isWellFormed())).toBe(true);
    expect(
      chunks
        .map((chunk) => chunk.text)
        .join("")
        .replace(/\s+/g, ""),
    ).toBe(`before${huge}after${emoji}\`\`\`${"y".repeat(2 * CHUNK_CHARS)}\`\`\``);
  });
});
