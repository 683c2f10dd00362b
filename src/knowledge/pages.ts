/** A page fits one tool result (MAX_RESULT_CHARS) with its title, source and paging note. */
export const PAGE_CHARS = 6_000;

/** Where each page starts: cut at a paragraph break, else a line break, else a space, in the page's second half. */
function pageStarts(text: string): number[] {
  const starts = [0];
  let start = 0;
  while (text.length - start > PAGE_CHARS) {
    const window = text.slice(start, start + PAGE_CHARS);
    const half = PAGE_CHARS / 2;
    const cut = [window.lastIndexOf("\n\n"), window.lastIndexOf("\n"), window.lastIndexOf(" ")].find(
      (at) => at >= half,
    );
    start += cut === undefined ? PAGE_CHARS : cut + 1;
    starts.push(start);
  }
  return starts;
}

/** Page `page` (from 1; clamped to the document) of a text, and how many pages it has. */
export function pageOf(text: string, page: number): { page: number; pages: number; text: string } {
  const starts = pageStarts(text);
  const index = Math.min(Math.max(1, Math.floor(page)), starts.length) - 1;
  return { page: index + 1, pages: starts.length, text: text.slice(starts[index], starts[index + 1] ?? text.length) };
}
