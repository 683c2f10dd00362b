/**
 * Which person's messages reach the bot, as Campfire decides it. The playground page runs this in the browser
 * (it embeds `String(webhookText)`), so it stays self-contained: no imports, no inner functions.
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
