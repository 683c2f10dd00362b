// With their extensions, and no import of the client: the Node fakes and the bench load this file as it is.
import { kept } from "../keep.ts";
import { cleanName, cleanText } from "../text.ts";

/** What a line shows of a room message (a `RoomMessage` is one). */
export interface LineMessage {
  id: number;
  createdAt: string;
  text: string;
  creator: { name: string };
}

/**
 * How a model is shown a room's messages, wherever it reads them (room context, room_history, digests, briefings):
 * one JSON array a message, `[id, "HH:MM", "from", "text"]`, and a line naming the day before a day's first message.
 * No keys, no ISO stamps, no absolute links: a message costs its words and about ten tokens. A newline or a forged
 * "[1, …]" inside the words stays inside one JSON string, so no one can write a message for somebody else.
 */
export const MESSAGE_LINES_SHAPE =
  'one JSON array a message, [id, "HH:MM", "from", "text"], under a line naming its day';

/** The link to a message of this room is this followed by its id, relative: Campfire's own permalinks look so. */
export const permalinkPrefix = (roomId: number) => `/rooms/${roomId}/@`;

/** How a piece of messages tells the model to link one of them. */
export const linkHint = (roomId: number) => `link one as ${permalinkPrefix(roomId)}<id>`;

/** The link prefix the last `linkHint` in `text` gives, or null when it gives none. */
export const readLinkPrefix = (text: string): string | null =>
  [...text.matchAll(/link (?:one|each point to its message) as (\S+)<id>/g)].at(-1)?.[1] ?? null;

/**
 * Where the newest of `lines` that fit in `chars` (each with its newline) begin: `lines.length` when none does.
 * Pieces keep the newest messages, and what is left out is at the old end.
 */
export function newestFitting(lines: readonly string[], chars: number): number {
  let first = lines.length;
  let size = 0;
  while (first > 0 && size + lines[first - 1]!.length + 1 <= chars) size += lines[--first]!.length + 1;
  return first;
}

// Two formatters per time zone, built once per isolate: building one costs more than formatting a page with it.
const days = new Map<string, Intl.DateTimeFormat>();
const times = new Map<string, Intl.DateTimeFormat>();

const dayFormat = (timeZone: string) =>
  kept(days, timeZone, () => new Intl.DateTimeFormat("en-US", { timeZone, dateStyle: "full" }));
const timeFormat = (timeZone: string) =>
  kept(
    times,
    timeZone,
    () => new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
  );

/** One message's line: its words cleaned and cut at `textChars`. */
export function messageLine(message: LineMessage, timeZone: string, textChars: number): string {
  return JSON.stringify([
    message.id,
    timeFormat(timeZone).format(Date.parse(message.createdAt)),
    cleanName(message.creator.name, 100),
    cleanText(message.text, textChars),
  ]);
}

/** The day line shown before `message` when it is the first of its day in `timeZone`. */
const dayLine = (message: LineMessage, timeZone: string) =>
  `${dayFormat(timeZone).format(Date.parse(message.createdAt))}:`;

/**
 * `lines` (each message's `messageLine`, in order) with a day line before each day's first message. `messages` and
 * `lines` go together, index for index, so a caller may choose which lines to show before they are dated.
 */
export function dated(messages: readonly LineMessage[], lines: readonly string[], timeZone: string): string[] {
  const out: string[] = [];
  let day = "";
  for (const [index, message] of messages.entries()) {
    const next = dayLine(message, timeZone);
    if (next !== day) out.push(next);
    day = next;
    out.push(lines[index]!);
  }
  return out;
}

/** `messages` as the model reads them: dated lines, oldest first as given. */
export const messageLines = (messages: readonly LineMessage[], timeZone: string, textChars: number): string[] =>
  dated(
    messages,
    messages.map((message) => messageLine(message, timeZone, textChars)),
    timeZone,
  );

/** A message's line read back, `[id, time, from, text]`, or null for any other line (a day line, a note). */
export function readMessageLine(line: string): [id: number, time: string, from: string, text: string] | null {
  if (!line.startsWith("[")) return null;
  try {
    const value = JSON.parse(line) as unknown;
    return Array.isArray(value) && value.length === 4 && typeof value[0] === "number"
      ? (value as [number, string, string, string])
      : null;
  } catch {
    return null;
  }
}
