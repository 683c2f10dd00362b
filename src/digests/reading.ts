import type { Room } from "../campfire/room";
import { readAfter, type Span } from "../campfire/span";
import { ServiceFailure } from "../failure";
import type { EndReason, Subscription } from "./subscription";

/**
 * The messages after the last covered one. A span too long for one digest is read from its newest page instead
 * (a busy room gets a digest of its latest messages, not of ever older ones), and so is one whose last covered
 * message was deleted. Null when Campfire answers 404 to reading the room: the bot is no longer in it.
 */
export async function spanAfter(room: Room, coveredId: number): Promise<Span | null> {
  let span: Span | null;
  try {
    span = await readAfter(room, coveredId);
  } catch (error) {
    if (!(error instanceof ServiceFailure && error.kind === "not_found")) throw error;
    span = { messages: [], cut: true };
  }
  if (span === null || !span.cut) return span;
  const page = await room.page();
  if (page === null) return null;
  return { messages: page.messages.filter((message) => message.id > coveredId), cut: true };
}

/**
 * The owner's direct room, looked at before a digest goes there: it must still hold the bot (a 404 ends the
 * subscription), and no one but the owner and the bot (a summary of their room is theirs alone). "seen" when the
 * owner has written to the bot there since the last digest's span; null when all is well.
 */
export async function checkDirectRoom(direct: Room, subscription: Subscription): Promise<EndReason | "seen" | null> {
  const page = await direct.page();
  if (page === null) return "not_in_room";
  const { owner } = subscription;
  if (page.messages.some((message) => message.creator.id !== owner.id && message.creator.id !== direct.botUserId))
    return "shared_direct_room";
  // Both times are Campfire's: the last covered message's and the owner's.
  return page.messages.some(
    (message) => message.creator.id === owner.id && Date.parse(message.createdAt) > subscription.coveredAt,
  )
    ? "seen"
    : null;
}
