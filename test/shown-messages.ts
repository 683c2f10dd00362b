import { readLinkPrefix, readMessageLine } from "../src/campfire/message-lines.ts";

/** A room message as a prompt or a tool result shows it (`messageLines`), with the link its header says to give it. */
export interface ShownMessage {
  id: number;
  time: string;
  from: string;
  text: string;
  link: string;
  /** The day line it was shown under. */
  day: string;
}

/**
 * Every message `text` shows, in order: each line that is a `[id, "HH:MM", "from", "text"]` array, under the day line
 * before it, linked by the latest header naming how to link. Any other line (a document's "[1] …" too) is left alone.
 */
export function shownMessages(text: string): ShownMessage[] {
  const shown: ShownMessage[] = [];
  let prefix = "";
  let day = "";
  for (const line of text.split("\n")) {
    prefix = readLinkPrefix(line) ?? prefix;
    if (/^[A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2}, \d{4}:$/.test(line)) day = line.slice(0, -1);
    const message = readMessageLine(line);
    if (message) {
      const [id, time, from, words] = message;
      shown.push({ id, time, from, text: words, link: `${prefix}${id}`, day });
    }
  }
  return shown;
}
