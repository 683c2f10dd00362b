/**
 * Small formatters the playground page runs in the browser: the page embeds their source (`String(fn)`), so
 * each is a self-contained function with no imports, no closures over module values and no inner functions.
 */

/** How long until a conversation is forgotten, as a person would say it: "23 h 59 min", "4 min", "12 s". */
export function forgetsIn(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
