/**
 * `npx node scripts/prompts.ts`: bundles every Markdown file under prompts/ into src/config/prompt-files.ts, where a
 * bot's `system_prompt_file` is looked up (a Worker has no file system, so the text must be in the bundle). The module
 * is committed, so a fresh clone builds, tests and deploys with no step first; run this after editing a prompt
 * (`npm run dev` does, and again whenever a prompt changes). `--check` only says whether the module is up to date.
 */
import { existsSync, readdirSync, readFileSync, statSync, watch, writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;
const PROMPTS = "prompts";
export const MODULE = "src/config/prompt-files.ts";

/** Every .md file under prompts/, as its path from the repository root with "/" separators, sorted. */
function promptPaths(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir))
      .sort()
      .flatMap((name) => {
        const path = `${dir}/${name}`;
        if (statSync(join(root, path)).isDirectory()) return walk(path);
        return name.endsWith(".md") ? [path] : [];
      });
  return existsSync(join(root, PROMPTS)) ? walk(PROMPTS) : [];
}

// A template literal keeps the prompt readable in the module and in review; only these three need escaping in one.
const literal = (text: string) => `\`${text.replace(/[\\`]/g, "\\$&").replace(/\$\{/g, "\\${")}\``;

/** The module's source for the prompts under `root`, exactly as written (Biome leaves it as it is). */
export function renderPromptModule(root = ROOT): string {
  const entries = promptPaths(root).map(
    (path) => `  ${JSON.stringify(path)}: ${literal(readFileSync(join(root, path), "utf8"))},\n`,
  );
  return (
    "// Written by `npx node scripts/prompts.ts` from the Markdown files in prompts/: edit those and run it again, not this file.\n" +
    "/** Each bundled prompt's text by its path from wrangler.toml's folder, as `system_prompt_file` names it. */\n" +
    `export const PROMPT_FILES: Readonly<Record<string, string>> = {${entries.length ? `\n${entries.join("")}` : ""}};\n`
  );
}

/** Writes the module if it differs; says whether it did. */
export function writePromptModule(root = ROOT): boolean {
  const source = renderPromptModule(root);
  const path = join(root, MODULE);
  if (existsSync(path) && readFileSync(path, "utf8") === source) return false;
  writeFileSync(path, source);
  return true;
}

/** Rewrites the module whenever a prompt changes, for `wrangler dev` to reload; the watcher stops with the process. */
export function watchPrompts(root = ROOT): void {
  if (!existsSync(join(root, PROMPTS))) return;
  watch(join(root, PROMPTS), { recursive: true }, () => {
    if (writePromptModule(root)) console.log(`  ${MODULE} rewritten from ${PROMPTS}/`);
  });
}

if (import.meta.main) {
  if (process.argv.includes("--check")) {
    const current = existsSync(join(ROOT, MODULE)) ? readFileSync(join(ROOT, MODULE), "utf8") : "";
    if (current !== renderPromptModule()) {
      console.error(`${MODULE} is out of date with ${PROMPTS}/: run \`npx node scripts/prompts.ts\``);
      process.exit(1);
    }
    console.log(`${MODULE} is up to date.`);
  } else {
    const wrote = writePromptModule();
    console.log(`${wrote ? "Wrote" : "Kept"} ${MODULE}: ${promptPaths(ROOT).join(", ") || "no prompts"}`);
  }
}
