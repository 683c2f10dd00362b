/** A document's id: safe in a URL path and a file name; it is also how Claude cites the document. */
export const DOC_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** A library's name, written like a bot id: `knowledge = ["handbook"]`. */
export const LIBRARY_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/i;
/** One name, one library: "Handbook" in a URL or a bot's settings is the library "handbook". */
export const libraryKey = (name: string) => name.toLowerCase();

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
  return {
    title: title.trim().slice(0, MAX_TITLE_CHARS),
    source: fields.source?.slice(0, MAX_SOURCE_CHARS) || null,
    body,
  };
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

/** Latin letters that Unicode does not take apart into a letter and an accent, as ASCII spells them. */
const SPELLED: Record<string, string> = { ß: "ss", æ: "ae", œ: "oe", ø: "o", đ: "d", ð: "d", þ: "th", ł: "l", ı: "i" };

/**
 * A file name as a document id: "Parental Leave (2026).md" → "parental-leave-2026", "Straße.md" → "strasse".
 * Letters, digits or symbols an id cannot hold (休暇, 😀) add a short hash of the name, so that such names still
 * get an id, and different ones: "休暇.md" → "doc-" and 8 hex digits, "Plan 😀.md" → "plan-" and 8 hex digits.
 */
export function slugify(fileName: string): string {
  const stem = fileName.replace(/\.(md|markdown|txt)$/i, "").normalize("NFC");
  const ascii = stem
    .toLowerCase()
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[ßæœøđðþłı]/g, (letter) => SPELLED[letter]!);
  const slug = ascii.replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+|-+$/g, "");
  const lost = /(?![\x00-\x7f])[\p{L}\p{N}\p{S}]/u.test(ascii);
  if (!lost) return slug.slice(0, 128);
  const hash = fnv1a(stem);
  return slug ? `${slug.slice(0, 128 - hash.length - 1).replace(/-+$/, "")}-${hash}` : `doc-${hash}`;
}

/** 32-bit FNV-1a of a text's UTF-8 bytes, as 8 hex digits: the same for a name on every machine. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/**
 * The document id of each file name (in order), and, for names that would make the same id, a sentence naming
 * them: uploaded together, one would silently replace the other.
 */
export function documentIds(fileNames: string[]): { ids: string[]; clashes: string[] } {
  const ids = fileNames.map(slugify);
  const byId = new Map<string, string[]>();
  for (const [i, id] of ids.entries()) byId.set(id, [...(byId.get(id) ?? []), fileNames[i]!]);
  const clashes = [...byId]
    .filter(([, names]) => names.length > 1)
    .map(([id, names]) => {
      const listed = `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
      return names.length === 2
        ? `${listed} would both be the document "${id}"; rename one of them`
        : `${listed} would all be the document "${id}"; rename all but one`;
    });
  return { ids, clashes };
}
