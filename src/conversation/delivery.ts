import type { Room } from "../campfire/room";
import { escapeHtml, renderMarkdown } from "../render";
import { splitMarkdown } from "../split";
import type { Outgoing } from "./state";
import type { ConversationStore } from "./store";

/**
 * Posts an answer, split into parts Campfire shows well. The first part replaces the message the turn already
 * showed (streamed text or a progress line); each part posted is recorded, so a retry posts only the rest.
 * `mayBeRepeat`: an earlier run may have died between Campfire's "created" and recording it, so look first.
 */
export async function postOutgoing(room: Room, store: ConversationStore, outgoing: Outgoing, mayBeRepeat: boolean): Promise<void> {
  const parts = outgoing.kind === "reply" ? splitMarkdown(outgoing.markdown).map((part) => renderMarkdown(part)) : [`<p>${escapeHtml(outgoing.markdown)}</p>`];
  for (let index = outgoing.posted; index < parts.length; index++) {
    const html = parts[index]!;
    const edited = index === 0 && outgoing.messageId !== null && (await room.edit(outgoing.messageId, html));
    if (!edited && !(mayBeRepeat && index === outgoing.posted && (await alreadyPosted(room, html, outgoing.queuedAt)))) await room.post(html);
    // The last part needs no mark: settling the answer records it.
    if (index + 1 < parts.length) store.markPosted(index + 1);
  }
}

/**
 * The draft an earlier run of this turn posted but died before recording: the bot's newest message since then
 * that still ends in "…" (a streamed draft or the progress line). It is adopted, so the answer replaces it.
 */
export async function orphanedDraft(room: Room, store: ConversationStore, postingSince: number | null): Promise<number | null> {
  if (postingSince === null) return null;
  const draft = (await room.ownMessagesSince(postingSince)).findLast((message) => message.text.trim().endsWith("…"));
  if (draft) store.setDraftMessageId(draft.id);
  return draft?.id ?? null;
}

/** Whether the bot already posted this text since `since`: a delivery cut off after Campfire took it. */
export async function alreadyPosted(room: Room, html: string, since: number): Promise<boolean> {
  const text = plainText(html);
  return (await room.ownMessagesSince(since)).some((message) => plainText(message.text) === text);
}

/** Text without tags, entities or any white space, to compare our HTML with Campfire's plain text of it. */
function plainText(html: string): string {
  const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => entities[name]!)
    .replace(/\s+/g, "");
}
