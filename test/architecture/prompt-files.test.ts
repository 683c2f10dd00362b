import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MODULE, renderPromptModule } from "../../scripts/prompts.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

describe("the bundled prompts (src/config/prompt-files.ts)", () => {
  it("hold exactly what prompts/ holds now: after editing a prompt, run `npx node scripts/prompts.ts`", () => {
    expect(readFileSync(join(ROOT, MODULE), "utf8")).toBe(renderPromptModule(ROOT));
  });

  it("keep each file's text exactly, backticks, backslashes and dollar-braces included, in nested folders too", async () => {
    const root = mkdtempSync(join(tmpdir(), "prompts-"));
    try {
      mkdirSync(join(root, "prompts/team"), { recursive: true });
      // A dollar-brace that must stay text, not become a template literal's placeholder.
      const tricky = `Use \`code\`, a \\ backslash and $\{not.a.variable}.\n\nSecond paragraph.\n`;
      writeFileSync(join(root, "prompts/team/helpdesk.md"), tricky);
      writeFileSync(join(root, "prompts/notes.txt"), "not a prompt");
      mkdirSync(join(root, "src/config"), { recursive: true });
      const module = join(root, "src/config/prompt-files.mjs");
      writeFileSync(module, renderPromptModule(root).replace(": Readonly<Record<string, string>>", ""));
      const { PROMPT_FILES } = (await import(module)) as { PROMPT_FILES: Record<string, string> };
      expect(PROMPT_FILES).toEqual({ "prompts/team/helpdesk.md": tricky });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
