import { z } from "zod";
import type { RoomMessage } from "../campfire/client";
import { dated, linkHint, MESSAGE_LINES_SHAPE, messageLine, permalinkPrefix } from "../campfire/message-lines";
import { readSince, SPAN_PAGES } from "../campfire/span";
import { defineTool, speaksForSomeone, type ToolContext, ToolError } from "./tool";
import { formatWhen, parseWhen } from "./when";

/** One piece of the room: the lines of one call's result. */
const MAX_CHARS = 12_000;
/** A piece read forward takes one page of 40 unless the messages are short enough for more. */
const FORWARD_PAGES = 3;
/** Campfire's page size: how many messages one request reads. */
const PAGE_MESSAGES = 40;
/** What catching up covers when the asker wrote nothing in the pages read back: the last day. */
const FALLBACK_MS = 86_400_000;

const UNREADABLE = "Reading the room's history is not available on this Campfire (it is older than 2026).";

export const roomHistory = defineTool({
  name: "room_history",
  description:
    'Read this room\'s messages, oldest first (the newest by default), one piece per call. "Catch me up": ' +
    "since_my_last_message. Link each message you use; say what span you covered.",
  input: z.object({
    before_id: z.number().int().positive().optional().describe("Older than this id"),
    after_id: z.number().int().positive().optional().describe("Newer than this id"),
    since: z.string().max(64).optional().describe("ISO date-time (no offset: the bot's time zone)"),
    since_my_last_message: z.boolean().optional().describe("From the asker's last message here"),
  }),
  async run(input, context) {
    const given = Object.entries(input).filter(([, value]) => value !== undefined && value !== false);
    if (given.length > 1)
      throw new ToolError(
        `Give one of before_id, after_id, since and since_my_last_message, not ${given.map(([key]) => key).join(" and ")}.`,
      );
    if (input.after_id !== undefined) return readOn(context, input.after_id);
    if (input.since !== undefined) return readFrom(context, input.since);
    if (input.since_my_last_message) return sinceAskerSpoke(context);
    return pageBack(context, input.before_id);
  },
});

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/;

/**
 * The instant `since` names, or null: an ISO date-time, read as reminders read it (one without an offset is in the
 * bot's time zone), or a date alone (its midnight there). A day or hour that is not on the calendar is no time.
 */
export function sinceInstant(text: string, now: Date, timeZone: string): number | null {
  const trimmed = text.trim();
  const fields = DATE_TIME.exec(trimmed);
  if (!fields) return null;
  const [y, mo, d, h, mi, s] = fields.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const named = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls 2026-02-30 over into March: a date that does not come back as written is not on the calendar.
  const back = [
    named.getUTCMonth() + 1,
    named.getUTCDate(),
    named.getUTCHours(),
    named.getUTCMinutes(),
    named.getUTCSeconds(),
  ];
  if (back.some((field, i) => field !== [mo, d, h, mi, s][i])) return null;
  return parseWhen(fields[4] === undefined && trimmed === fields[0] ? `${trimmed}T00:00` : trimmed, now, timeZone);
}

/** Most characters of one message's words in a piece. */
const MESSAGE_CHARS = 2_000;
/** The bot's own messages are cut shorter: it wrote them, its history has the recent ones, their start says what they were. */
const OWN_CHARS = 300;

/** A message's line; the bot's own cut at OWN_CHARS with an ellipsis. */
function line(context: ToolContext, message: RoomMessage): string {
  const own = message.creator.id === context.room.botUserId && message.text.length > OWN_CHARS;
  const text = own ? `${message.text.slice(0, OWN_CHARS).trimEnd()}…` : message.text;
  return messageLine({ ...message, text }, context.timeZone, MESSAGE_CHARS);
}

/** How many of `lines`, from the first, fit in one piece: at least one (a line is at most about 2 100 characters). */
function fitting(lines: string[]): number {
  let size = 0;
  for (const [index, text] of lines.entries()) {
    size += text.length + 1;
    if (size > MAX_CHARS) return Math.max(1, index);
  }
  return lines.length;
}

/** A piece: what it follows from, the span it covers and how its lines read, its lines, and how to read on. */
function piece(context: ToolContext, messages: RoomMessage[], lines: string[], lead: string, next: string): string {
  const at = (message: RoomMessage) => formatWhen(Date.parse(message.createdAt), context.timeZone);
  const span =
    `${messages.length} message${messages.length === 1 ? "" : "s"}, ${at(messages[0]!)} to ${at(messages.at(-1)!)}, ` +
    `${MESSAGE_LINES_SHAPE}, yours cut at ${OWN_CHARS} characters; ${linkHint(context.room.id)}:`;
  return [lead, span, ...dated(messages, lines, context.timeZone), next].filter(Boolean).join("\n");
}

/** How to read on from `input`: call again, unless this was the turn's last round to call a tool in. */
function onward(context: ToolContext, direction: string, input: string): string {
  return context.toolRoundsLeft === 0
    ? `${direction} from ${input}, but that was your last tool round: answer from what you read and say which span it covers.`
    : `${direction}: call again with ${input}`;
}

/** The oldest of `messages` that fit, and where to read on when the rest did not (or `beyond` says more follow). */
function forwardPiece(context: ToolContext, messages: RoomMessage[], beyond: boolean, lead = ""): string {
  const lines = messages.map((message) => line(context, message));
  const shown = fitting(lines);
  const next =
    shown < messages.length || beyond
      ? onward(context, "More", `{"after_id":${messages[shown - 1]!.id}}`)
      : "That is everything up to now.";
  return piece(context, messages.slice(0, shown), lines.slice(0, shown), lead, next);
}

/** The newest page, or the one before `before`: its newest messages that fit, and where to page back from. */
async function pageBack(context: ToolContext, before?: number): Promise<string> {
  const page = await context.room.page({ before });
  if (page === null) throw new ToolError(UNREADABLE);
  if (page.messages.length === 0)
    return before === undefined ? "No messages in this room yet." : "No earlier messages.";
  const lines = page.messages.map((message) => line(context, message));
  const shown = fitting([...lines].reverse());
  const kept = page.messages.slice(-shown);
  const next =
    shown < lines.length || page.more
      ? onward(context, "Older", `{"before_id":${kept[0]!.id}}`)
      : "Nothing older: this is where the room starts.";
  return piece(context, kept, lines.slice(-shown), "", next);
}

/** The messages after `afterId`, forward: as many pages as one piece holds, at most FORWARD_PAGES. */
async function readOn(context: ToolContext, afterId: number): Promise<string> {
  const messages: RoomMessage[] = [];
  let size = 0;
  let more = true;
  for (let read = 0; read < FORWARD_PAGES && more && size <= MAX_CHARS; read++) {
    const page = await context.room.page({ after: messages.at(-1)?.id ?? afterId });
    if (page === null) throw new ToolError(UNREADABLE);
    messages.push(...page.messages);
    size += page.messages.reduce((sum, message) => sum + line(context, message).length + 1, 0);
    more = page.more && page.messages.length > 0;
  }
  if (messages.length === 0) return `Nothing after message ${afterId}: that is everything up to now.`;
  return forwardPiece(context, messages, more);
}

/** The messages since a time, found by paging back from the newest (at most SPAN_PAGES pages), from its start on. */
async function readFrom(context: ToolContext, text: string): Promise<string> {
  const { timeZone } = context;
  const since = sinceInstant(text, context.now, timeZone);
  if (since === null)
    throw new ToolError(
      `"${text}" is not a time I can read: give an ISO date-time such as 2026-11-30T09:00 (in ${timeZone}) or 2026-11-30T08:00Z.`,
    );
  if (since > context.now.getTime())
    throw new ToolError(`${formatWhen(since, timeZone)} is still to come: give a past time to read from.`);
  const span = await readSince(context.room, since, SPAN_PAGES);
  if (span === null) throw new ToolError(UNREADABLE);
  const from = `Since ${formatWhen(since, timeZone)}`;
  if (span.messages.length === 0) return `${from}: no messages.`;
  const start = span.messages[0]!.id;
  const lead = span.cut
    ? `${from} there are more than the ${SPAN_PAGES * PAGE_MESSAGES} messages read back: this starts later, at message ${start} (older ones: {"before_id":${start}}).`
    : `${from}:`;
  return forwardPiece(context, span.messages, false, lead);
}

/**
 * What was said since the asker's last message before this turn, found by paging back from their first message of
 * the turn (at most SPAN_PAGES pages); when they wrote none there, the last day, said so.
 */
async function sinceAskerSpoke(context: ToolContext): Promise<string> {
  const { room, asker, askerMessageId, timeZone } = context;
  if (!speaksForSomeone(asker) || askerMessageId === undefined)
    throw new ToolError(
      "This turn has no message of the asker to start from (a scheduled turn, or a message without a Campfire id): use since instead.",
    );
  const newestFirst: RoomMessage[][] = [];
  let before = askerMessageId;
  let whole = false;
  for (let read = 0; read < SPAN_PAGES && !whole; read++) {
    const page = await room.page({ before });
    if (page === null) throw new ToolError(UNREADABLE);
    const theirs = page.messages.findLastIndex((message) => message.creator.id === asker.id);
    if (theirs !== -1) {
      const last = page.messages[theirs]!;
      const after = [...page.messages.slice(theirs + 1), ...newestFirst.reverse().flat()];
      const lead = `${asker.name}'s last message here was ${last.id}, ${formatWhen(Date.parse(last.createdAt), timeZone)} (${permalinkPrefix(room.id)}${last.id}).`;
      return after.length
        ? forwardPiece(context, after, false, `${lead} Since then:`)
        : `${lead} Nothing was said since.`;
    }
    newestFirst.push(page.messages);
    whole = !page.more || page.messages.length === 0;
    before = page.messages[0]?.id ?? before;
  }
  const read = newestFirst.reverse().flat();
  const since = context.now.getTime() - FALLBACK_MS;
  const day = read.filter((message) => Date.parse(message.createdAt) >= since);
  const where = whole ? "in this room" : `in the ${read.length} messages before this turn`;
  const lead = `${asker.name} wrote nothing earlier ${where}, so this is the last day instead, since ${formatWhen(since, timeZone)}`;
  if (day.length === 0) return `${lead}: no messages.`;
  // Every message read is within the day: the day began further back than the pages read.
  const cut = !whole && day.length === read.length ? ` (it goes back further than message ${day[0]!.id})` : "";
  return forwardPiece(context, day, false, `${lead}${cut}:`);
}
