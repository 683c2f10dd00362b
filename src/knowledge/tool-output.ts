import { ToolError } from "../tools/tool";
import type { KnowledgeToolContext, LibraryApi } from "./access";
import { HEADING_SEPARATOR } from "./chunk";
import { libraryKey } from "./document";

/** No knowledge tool answers with more than this: a result goes into every later request of the conversation. */
export const MAX_RESULT_CHARS = 8_000;

/**
 * Joins entries until the next would pass the bound, then says how many were left out and what to do instead.
 * Whole entries are kept or dropped, so a passage or list line is never shown half.
 */
export function boundEntries(head: string, entries: string[], separator: string, whatToDo: string): string {
  const shown: string[] = [];
  // Room for the note about what was cut.
  let size = head.length + 200;
  for (const entry of entries) {
    if (size + entry.length + separator.length > MAX_RESULT_CHARS) break;
    shown.push(entry);
    size += entry.length + separator.length;
  }
  const left = entries.length - shown.length;
  const cut = left > 0 ? `\n\n(cut: ${left} more not shown to keep this short; ${whatToDo})` : "";
  return [head, ...shown].join(separator) + cut;
}

/** "Leave policy › Parental leave (id: leave-policy)": what Claude cites; a trail starting with the title skips it. */
export function citation(title: string, heading: string, id: string): string {
  const trail = heading.split(HEADING_SEPARATOR).filter(Boolean);
  if (trail[0] === title) trail.shift();
  return `${[title, ...trail].join(HEADING_SEPARATOR)} (id: ${id})`;
}

/** The library a call means: the one named, or the bot's only one; an error that lists the choices otherwise. */
export function pickLibrary(
  context: KnowledgeToolContext,
  requested: string | undefined,
  access: "read" | "write",
): { name: string; library: LibraryApi } {
  const knowledge = context.knowledge;
  if (!knowledge || knowledge.readable.length === 0) {
    throw new ToolError(
      'This bot has no knowledge library. An operator can give it one with knowledge = ["<library>"] in its settings.',
    );
  }
  const allowed = access === "write" ? knowledge.writable : knowledge.readable;
  if (allowed.length === 0) {
    throw new ToolError(
      `This bot may only read its libraries (${knowledge.readable.join(", ")}); storing needs knowledge_write in its settings.`,
    );
  }
  const name = requested !== undefined ? libraryKey(requested) : allowed.length === 1 ? allowed[0] : undefined;
  if (name === undefined) throw new ToolError(`Say which library with "library": one of ${allowed.join(", ")}.`);
  if (!allowed.includes(name)) {
    const why =
      access === "write" && knowledge.readable.includes(name)
        ? `"${name}" is read-only for this bot`
        : `this bot has no library "${name}"`;
    throw new ToolError(`${why}; use one of ${allowed.join(", ")}.`);
  }
  return { name, library: knowledge.library(name) };
}
