/**
 * Which person's messages reach the bot, as Campfire decides it. The playground page runs this in the browser
 * (it embeds `String(webhookText)` and `String(webhookRoom)`), so they stay self-contained: no imports, no inner functions.
 */

/**
 * What Campfire sends a bot for a person's message: in a shared room only a message that @mentions the bot
 * (by name, any case), with that mention taken out of the plain text; in a direct room every message. Null
 * when Campfire would not call the bot at all.
 */
export function webhookText(text: string, botName: string, sharedRoom: boolean): string | null {
  if (!sharedRoom) return text.trim();
  // The name is text, not a pattern; the lookahead keeps "@Assistant" from matching "@Assistants".
  const mention = new RegExp("@" + botName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "(?![\\p{L}\\p{N}_])", "giu");
  if (text.search(mention) === -1) return null;
  return text.replace(mention, "").replace(/\s+/g, " ").trim();
}

/** The payload's `room` as Campfire sends it: a direct room has no name there (`null`), whatever the page calls it. */
export function webhookRoom(
  room: { id: number; name: string; direct: boolean },
  botKey: string,
): { id: number; name: string | null; path: string } {
  return { id: room.id, name: room.direct ? null : room.name, path: "/rooms/" + room.id + "/" + botKey + "/messages" };
}
