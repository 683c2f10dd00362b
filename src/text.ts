/** Longest message text kept; a longer one is cut with a note, so no stored row comes near SQLite's 2 MB limit. */
export const MAX_TEXT_CHARS = 20_000;
export const MAX_NAME_CHARS = 100;
export const MAX_ROOM_NAME_CHARS = 200;

// NUL and the C0/C1 controls other than tab and newline: they only ever confuse the model or Campfire.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Text people wrote, safe to store and to show the model: no control characters, bounded in length. */
export function cleanText(text: string, limit = MAX_TEXT_CHARS): string {
  const clean = text.replace(/\r\n?/g, "\n").replace(CONTROL, "").trim();
  if (clean.length <= limit) return clean;
  return `${clean.slice(0, limit)}\n[… cut: the message had ${clean.length.toLocaleString("en-US")} characters; the bot reads at most ${limit.toLocaleString("en-US")}]`;
}

/** A person's or a room's name: one line, no controls, short. */
export function cleanName(name: string, limit: number): string {
  const line = name.replace(CONTROL, " ").replace(/\s+/g, " ").trim();
  return line.length <= limit ? line : `${line.slice(0, limit - 1)}…`;
}
