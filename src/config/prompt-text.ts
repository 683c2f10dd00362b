import { PROMPT_FILES } from "./prompt-files";

/**
 * What a bot's prompt may leave to be filled in — the bot's name, the room's name, the bot's time zone — each the
 * same for the whole conversation, so the system prompt stays one cached prefix. Anything that changes per turn is
 * told to the model after the cache breakpoints instead.
 */
export const PLACEHOLDERS = ["bot_name", "room_name", "time_zone"] as const;

export type Placeholder = (typeof PLACEHOLDERS)[number];

const isPlaceholder = (name: string): name is Placeholder => (PLACEHOLDERS as readonly string[]).includes(name);

/** Values that would change every turn, with where the model already finds them. */
const PER_TURN: Record<string, string> = {
  date: "the current date and time",
  time: "the current date and time",
  now: "the current date and time",
  today: "the current date and time",
  datetime: "the current date and time",
  weekday: "the current date and time",
  asker: "who is speaking (each message's `from`)",
  user: "who is speaking (each message's `from`)",
  user_name: "who is speaking (each message's `from`)",
  person: "who is speaking (each message's `from`)",
  sender: "who is speaking (each message's `from`)",
};

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;
const known = PLACEHOLDERS.map((name) => `{{${name}}}`).join(", ");

/** Each placeholder in `text` that cannot be filled, as a sentence saying why and what to do instead. */
export function placeholderProblems(text: string): string[] {
  const problems = new Set<string>();
  for (const [, name] of text.matchAll(PLACEHOLDER)) {
    if (isPlaceholder(name!)) continue;
    const perTurn = PER_TURN[name!.toLowerCase()];
    problems.add(
      perTurn
        ? `{{${name}}} would change every turn and so break the prompt's cache; the model is already given ${perTurn} in each turn, after the cache breakpoints. Remove it (the placeholders are ${known})`
        : `{{${name}}} is not a placeholder; the placeholders are ${known}`,
    );
  }
  return [...problems];
}

/** The prompt with its placeholders filled; one that is not known stays as written (config has refused it). */
export function fillPlaceholders(text: string, values: Record<Placeholder, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (isPlaceholder(name) ? values[name] : whole));
}

/** A `system_prompt_file` as written ("prompts/a.md", "./prompts/a.md") → its bundled text, or why there is none. */
export function promptFile(name: string): { text: string } | { error: string } {
  const path = name.trim().replace(/^(\.\/)+/, "");
  const text = Object.hasOwn(PROMPT_FILES, path) ? PROMPT_FILES[path] : undefined;
  if (text === undefined) {
    const bundled = Object.keys(PROMPT_FILES);
    return {
      error:
        `"${name}" is not a bundled prompt (${bundled.length ? `bundled: ${bundled.join(", ")}` : "none is bundled"}). ` +
        "Put the Markdown file under prompts/ next to wrangler.toml, then run `npx node scripts/prompts.ts` to bundle it",
    };
  }
  if (text.trim() === "") return { error: `"${path}" is empty; write the bot's instructions in it` };
  return { text };
}
