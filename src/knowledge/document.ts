/** A document's id: safe in a URL path and a file name; it is also how Claude cites the document. */
export const DOC_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** A library's name, written like a bot id: `knowledge = ["handbook"]`. */
export const LIBRARY_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

export const DOC_ID_RULE = "1–128 letters, digits, '-', '_' or '.', starting with a letter or digit";
export const LIBRARY_NAME_RULE = "1–63 letters, digits, '-' or '_', starting with a letter or digit";

const MAX_TITLE_CHARS = 200;
const MAX_SOURCE_CHARS = 500;

/** An uploaded document, ready to store. */
export interface ParsedDocument {
  title: string;
  source: string | null;
  /** The text without its front matter. */
  body: string;
}

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const FIRST_H1 = /^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/m;

/**
 * Reads an uploaded Markdown or plain-text body. The title comes from front matter (`title:`), else the
 * X-Title header (URL-encoding allowed, for non-ASCII titles), else the first `# heading`, else the id.
 * `source:` in the front matter (a URL or a path) is kept so answers can point to the original.
 */
export function parseDocument(id: string, text: string, titleHeader?: string | null): ParsedDocument {
  const match = FRONT_MATTER.exec(text);
  const fields = match ? frontMatterFields(match[1]!) : {};
  const body = match ? text.slice(match[0].length) : text.replace(/^\uFEFF/, "");
  const title = fields.title || decodeHeader(titleHeader) || FIRST_H1.exec(body)?.[1] || id;
  return { title: title.trim().slice(0, MAX_TITLE_CHARS), source: fields.source?.slice(0, MAX_SOURCE_CHARS) || null, body };
}

/** `key: value` lines, values optionally quoted; anything else in the front matter is ignored. */
function frontMatterFields(block: string): { title?: string; source?: string } {
  const fields: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const field = /^(title|source)[ \t]*:[ \t]*(.*?)[ \t]*$/i.exec(line);
    if (field) fields[field[1]!.toLowerCase()] = field[2]!.replace(/^(["'])(.*)\1$/, "$2");
  }
  return fields;
}

function decodeHeader(value: string | null | undefined): string | undefined {
  if (!value?.trim()) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    // A literal "%" that is not an escape: the header was meant as written.
    return value;
  }
}

/** A file name as a document id: "Parental Leave (2026).md" → "parental-leave-2026". */
export function slugify(fileName: string): string {
  return fileName
    .replace(/\.(md|markdown|txt)$/i, "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+|-+$/g, "")
    .slice(0, 128);
}
