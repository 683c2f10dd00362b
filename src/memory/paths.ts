/** The one directory Claude's memory tool may touch; every stored path is it or below it. */
export const MEMORY_ROOT = "/memories";
export const MAX_PATH_LENGTH = 256;
/** Levels below /memories: /memories/a/b is two. */
export const MAX_PATH_DEPTH = 8;

export type PathCheck = { path: string } | { error: string };

const EXAMPLE = "e.g. /memories/preferences.md";

/**
 * Characters that have no place in a file name and could hide a path's real shape or make two paths look alike:
 * the C0 and C1 controls and DEL, the bidirectional controls (which can show a name reversed), line and paragraph
 * separators, and invisible format characters (soft hyphen, zero-width space, word joiner and invisible
 * operators, byte-order mark, interlinear annotation, tag characters). ZWJ and ZWNJ stay: scripts and emoji need them.
 */
const INVISIBLE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]/u;

/** The first control or invisible formatting character in `text` (see INVISIBLE) as "U+202E", or null if none. */
export function invisibleIn(text: string): string | null {
  const hidden = INVISIBLE.exec(text);
  return hidden ? `U+${hidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}` : null;
}

/**
 * Checks a path Claude sent and returns its canonical form (no trailing slash), or a sentence saying what is
 * wrong. Paths are only keys in the person's own table, but they are checked as strictly as a file system's
 * would be, so no spelling of `..` or of another root can ever name something outside /memories.
 */
export function memoryPath(raw: string): PathCheck {
  if (raw.length === 0) return { error: `The path is empty; memory paths start with ${MEMORY_ROOT}/ (${EXAMPLE}).` };
  if (raw.length > MAX_PATH_LENGTH)
    return { error: `The path is ${raw.length} characters long; at most ${MAX_PATH_LENGTH} are allowed.` };
  const code = invisibleIn(raw);
  if (code) {
    return {
      error: `The path contains ${code}, a control or invisible formatting character; use visible characters only.`,
    };
  }
  if (raw.includes("\\")) return { error: `The path "${raw}" contains a backslash; separate directories with "/".` };
  if (/%[0-9a-f]{2}/i.test(raw))
    return { error: `The path "${raw}" contains percent-encoding; write characters as they are (${EXAMPLE}).` };
  if (raw.includes("//")) return { error: `The path "${raw}" contains "//"; separate directories with a single "/".` };
  const trimmed = raw.length > 1 && raw.endsWith("/") ? raw.slice(0, -1) : raw;
  if (trimmed !== MEMORY_ROOT && !trimmed.startsWith(`${MEMORY_ROOT}/`)) {
    return {
      error: `The path "${raw}" is outside ${MEMORY_ROOT}; every memory path starts with ${MEMORY_ROOT}/ (${EXAMPLE}).`,
    };
  }
  const segments = trimmed
    .slice(MEMORY_ROOT.length + 1)
    .split("/")
    .filter((segment) => segment !== "");
  if (segments.some((segment) => segment === ".." || segment === ".")) {
    return { error: `The path "${raw}" contains a "." or ".." segment; write the full path from ${MEMORY_ROOT}.` };
  }
  if (segments.length > MAX_PATH_DEPTH) {
    return {
      error: `The path "${raw}" is ${segments.length} levels below ${MEMORY_ROOT}; at most ${MAX_PATH_DEPTH} are allowed.`,
    };
  }
  return { path: trimmed };
}

/** The directories above a canonical path, nearest first, stopping below the root: /memories/a/b/c → /memories/a/b, /memories/a. */
export function parentsOf(path: string): string[] {
  const parents: string[] = [];
  for (let cut = path.lastIndexOf("/"); cut > MEMORY_ROOT.length; cut = path.lastIndexOf("/", cut - 1)) {
    parents.push(path.slice(0, cut));
  }
  return parents;
}
