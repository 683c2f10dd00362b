/**
 * How long one Campfire message may be, in Markdown characters. Campfire sets no hard limit, but a reply much
 * longer than a screen is hard to read and slow to render, so longer answers arrive as several messages.
 */
export const MESSAGE_LIMIT = 4_000;

const FENCE = /^ {0,3}(```|~~~)/;

/**
 * Splits Markdown into chunks of at most `limit` characters at paragraph boundaries, never inside a code
 * block: a code block too long for one message is cut at line boundaries and each piece is fenced again.
 */
export function splitMarkdown(text: string, limit = MESSAGE_LIMIT): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const block of blocks(text)) {
    for (const piece of block.length > limit ? cut(block, limit) : [block]) {
      if (current && current.length + 2 + piece.length > limit) {
        chunks.push(current);
        current = "";
      }
      current = current ? `${current}\n\n${piece}` : piece;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/** Paragraphs and whole code blocks, in order. */
function blocks(text: string): string[] {
  const result: string[] = [];
  let lines: string[] = [];
  let fence: string | null = null;
  const flush = () => {
    const block = lines.join("\n").trim();
    if (block) result.push(block);
    lines = [];
  };
  for (const line of text.split("\n")) {
    const marker = FENCE.exec(line)?.[1];
    if (fence === null && marker) {
      flush();
      fence = marker;
      lines.push(line);
    } else if (fence !== null) {
      lines.push(line);
      if (marker === fence) {
        fence = null;
        flush();
      }
    } else if (line.trim() === "") {
      flush();
    } else {
      lines.push(line);
    }
  }
  flush();
  return result;
}

/** Cuts one oversized block: a code block by lines (re-fenced), prose at the last space before the limit. */
function cut(block: string, limit: number): string[] {
  const fence = FENCE.exec(block)?.[1];
  if (fence) {
    const lines = block.split("\n");
    const opening = lines[0]!;
    const body = lines.slice(1, lines.at(-1)?.trim().startsWith(fence) ? -1 : undefined);
    const room = limit - opening.length - fence.length - 2;
    const pieces: string[] = [];
    let current: string[] = [];
    let size = 0;
    for (const line of body.flatMap((l) => (l.length > room ? l.match(new RegExp(`.{1,${room}}`, "g"))! : [l]))) {
      if (current.length && size + line.length + 1 > room) {
        pieces.push([opening, ...current, fence].join("\n"));
        current = [];
        size = 0;
      }
      current.push(line);
      size += line.length + 1;
    }
    if (current.length) pieces.push([opening, ...current, fence].join("\n"));
    return pieces;
  }
  const pieces: string[] = [];
  let rest = block;
  while (rest.length > limit) {
    const space = rest.lastIndexOf(" ", limit);
    const at = space > limit / 2 ? space : limit;
    pieces.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}
