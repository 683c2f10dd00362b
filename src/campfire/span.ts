import type { RoomMessage } from "./client";
import type { Room } from "./room";

/**
 * A stretch of a room's messages, oldest first. `cut` says the stretch goes on beyond what was read (the page bound
 * stopped the read first): past the last message for `readAfter`, before the first one for `readSince`.
 */
export interface Span {
  messages: RoomMessage[];
  cut: boolean;
}

/** The most pages a span read may take unless its caller says otherwise: 400 messages. */
export const SPAN_PAGES = 10;

/**
 * The messages after message `afterId`, oldest first, read forward with `?after=` at most `pages` pages of 40 (the
 * way Campfire pages: each page the 40 just after the last one read). Null when this Campfire cannot be read; an id
 * not in the room throws "not_found" (see `Room.page`).
 */
export async function readAfter(room: Room, afterId: number, pages = SPAN_PAGES): Promise<Span | null> {
  const messages: RoomMessage[] = [];
  let after = afterId;
  for (let read = 0; read < pages; read++) {
    const page = await room.page({ after });
    if (page === null) return null;
    messages.push(...page.messages);
    if (!page.more || page.messages.length === 0) return { messages, cut: false };
    after = page.messages.at(-1)!.id;
  }
  return { messages, cut: true };
}

/**
 * The messages created at or after `since` (ms since the epoch), oldest first. Campfire has no time filter, so this
 * pages back from the newest with `?before=` until a page reaches a message older than `since`, at most `pages`
 * pages: when that bound stops it, `cut` is set and what was read is the newest part of the span.
 */
export async function readSince(room: Room, since: number, pages = SPAN_PAGES): Promise<Span | null> {
  const newestFirst: RoomMessage[][] = [];
  let before: number | undefined;
  for (let read = 0; read < pages; read++) {
    const page = await room.page({ before });
    if (page === null) return null;
    const within = page.messages.filter((message) => Date.parse(message.createdAt) >= since);
    newestFirst.push(within);
    // Pages come oldest first: once one holds an older message, or there is none before it, the span is whole.
    if (within.length < page.messages.length || !page.more || page.messages.length === 0)
      return { messages: newestFirst.reverse().flat(), cut: false };
    before = page.messages[0]!.id;
  }
  return { messages: newestFirst.reverse().flat(), cut: true };
}
