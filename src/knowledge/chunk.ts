/** A searchable passage of a document: its text and where it sits ("Leave › Parental leave"). */
export interface Chunk {
  heading: string;
  text: string;
}

/** Chunks aim for this many words: long enough to answer from, short enough that a hit stays focused. */
export const CHUNK_WORDS = { min: 150, max: 400 };
/**
 * And hold at most this many characters, however long their words: with its citation (title, trail, id) a passage
 * then always fits one search result (MAX_RESULT_CHARS), so no hit is dropped for its size.
 */
export const CHUNK_CHARS = 4_000;

/** Every passage repeats its trail, so a heading longer than this is cut, and a trail longer drops its top headings. */
export const HEADING_CHARS = 200;
export const TRAIL_CHARS = 300;

export const HEADING_SEPARATOR = " › ";
const ELLIPSIS = "…";

interface Block {
  text: string;
  words: number;
  code: boolean;
}

interface Section {
  trail: string[];
  blocks: Block[];
}

const ATX_HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

/**
 * Splits Markdown (or plain text) into chunks: first at headings, then between paragraphs, so that each chunk
 * has at most CHUNK_WORDS.max words (and CHUNK_CHARS characters) and long sections become parts of similar size.
 * A fenced code block is never cut unless it alone is longer than a chunk; a paragraph that long is cut between
 * words, and a word longer than a chunk (no text has one, but an upload may) is cut where it must be.
 */
export function chunkMarkdown(markdown: string): Chunk[] {
  return sections(markdown).flatMap((section) => {
    const heading = trailOf(section.trail);
    return pack(section.blocks.flatMap(splitOversized)).map((text) => ({ heading, text }));
  });
}

/** "Leave › Parental leave", each heading at most HEADING_CHARS and the whole at most TRAIL_CHARS ("… › Adoption"). */
function trailOf(headings: string[]): string {
  const parts = headings.map((heading) => shorten(heading, HEADING_CHARS));
  while (parts.length > 1 && parts.join(HEADING_SEPARATOR).length > TRAIL_CHARS)
    parts.splice(0, parts[0] === ELLIPSIS ? 2 : 1, ELLIPSIS);
  return parts.join(HEADING_SEPARATOR);
}

const shorten = (text: string, max: number) =>
  text.length <= max ? text : cut(text, max - ELLIPSIS.length).trimEnd() + ELLIPSIS;

/** The first `length` UTF-16 units of a text, one fewer rather than half an emoji. */
function cut(text: string, length: number): string {
  const last = text.charCodeAt(length - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
}

/** A word or line longer than a chunk, in pieces of at most CHUNK_CHARS. */
function slices(text: string): string[] {
  const pieces: string[] = [];
  for (let rest = text; rest.length > 0; ) {
    const piece = rest.length <= CHUNK_CHARS ? rest : cut(rest, CHUNK_CHARS);
    pieces.push(piece);
    rest = rest.slice(piece.length);
  }
  return pieces;
}

/** Walks the lines once: headings (outside code fences) open sections, blank lines end paragraphs. */
function sections(markdown: string): Section[] {
  const result: Section[] = [];
  const trail: string[] = [];
  let current: Section = { trail: [], blocks: [] };
  let lines: string[] = [];
  let fence: string | null = null;

  const endBlock = () => {
    const text = lines.join("\n").trim();
    if (text) current.blocks.push({ text, words: countWords(text), code: fence !== null });
    lines = [];
  };

  for (const line of markdown.replace(/\r\n?/g, "\n").split("\n")) {
    const opener = FENCE.exec(line)?.[1];
    if (fence !== null) {
      lines.push(line);
      if (opener && opener[0] === fence[0] && opener.length >= fence.length && line.trim() === opener) {
        endBlock();
        fence = null;
      }
      continue;
    }
    if (opener) {
      endBlock();
      fence = opener;
      lines.push(line);
      continue;
    }
    const heading = ATX_HEADING.exec(line);
    if (heading) {
      endBlock();
      if (current.blocks.length > 0) result.push(current);
      trail.splice(heading[1]!.length - 1);
      // A skipped level ("#" then "###") leaves no empty step in the trail.
      while (trail.length < heading[1]!.length - 1) trail.push("");
      trail.push(heading[2]!.trim());
      current = { trail: trail.filter(Boolean), blocks: [] };
    } else if (line.trim() === "") {
      endBlock();
    } else {
      lines.push(line);
    }
  }
  endBlock();
  if (current.blocks.length > 0) result.push(current);
  return result;
}

/** A block longer than a chunk is cut: code between lines, prose between words, a word or line longer than a chunk anywhere. */
function splitOversized(block: Block): Block[] {
  if (block.words <= CHUNK_WORDS.max && block.text.length <= CHUNK_CHARS) return [block];
  const pieces = (block.code ? block.text.split("\n") : block.text.split(/\s+/).filter(Boolean)).flatMap(slices);
  const joiner = block.code ? "\n" : " ";
  const parts: Block[] = [];
  let part: string[] = [];
  let words = 0;
  let chars = 0;
  for (const piece of pieces) {
    const pieceWords = block.code ? countWords(piece) : 1;
    if (
      part.length > 0 &&
      (words + pieceWords > CHUNK_WORDS.max || chars + joiner.length + piece.length > CHUNK_CHARS)
    ) {
      parts.push({ text: part.join(joiner), words, code: block.code });
      part = [];
      words = 0;
      chars = 0;
    }
    chars += (part.length > 0 ? joiner.length : 0) + piece.length;
    part.push(piece);
    words += pieceWords;
  }
  if (part.length > 0) parts.push({ text: part.join(joiner), words, code: block.code });
  return parts;
}

/** Packs a section's blocks into parts of about equal size, none over the maximum. */
function pack(blocks: Block[]): string[] {
  const total = blocks.reduce((sum, block) => sum + block.words, 0);
  // Aim for even parts: 500 words become 250 + 250, not 400 + 100.
  const target = Math.max(CHUNK_WORDS.min, Math.ceil(total / Math.ceil(total / CHUNK_WORDS.max)));
  const parts: string[] = [];
  let part: Block[] = [];
  let words = 0;
  let chars = 0;
  for (const block of blocks) {
    const full =
      words + block.words > CHUNK_WORDS.max || chars + 2 + block.text.length > CHUNK_CHARS || words >= target;
    if (full && part.length > 0) {
      parts.push(part.map((b) => b.text).join("\n\n"));
      part = [];
      words = 0;
      chars = 0;
    }
    chars += (part.length > 0 ? 2 : 0) + block.text.length;
    part.push(block);
    words += block.words;
  }
  if (part.length > 0) parts.push(part.map((b) => b.text).join("\n\n"));
  return parts;
}
