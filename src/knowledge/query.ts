/** More terms than this add cost, not relevance: a question rarely has more words that matter. */
export const MAX_QUERY_TERMS = 32;
/** Longer "words" are junk (a pasted hash or base64); cut, they still match nothing harmful. */
const MAX_TERM_CHARS = 64;

// Letters (with their combining marks) and digits: what FTS5's unicode61 tokenizer keeps as token characters.
const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;

/**
 * An FTS5 MATCH expression for any text a person or Claude typed, or null when it has no word to search for.
 * Every word becomes a quoted FTS5 string, so operators (AND, NEAR, *, ^, -, :, quotes) are only ever words;
 * the strings are joined with OR, and bm25 ranks passages matching more of them higher.
 */
export function ftsQuery(text: string): string | null {
  const terms = new Set<string>();
  for (const [word] of text.normalize("NFKC").matchAll(WORD)) {
    terms.add(word.slice(0, MAX_TERM_CHARS).toLowerCase());
    if (terms.size === MAX_QUERY_TERMS) break;
  }
  if (terms.size === 0) return null;
  return [...terms].map((term) => `"${term.replaceAll('"', '""')}"`).join(" OR ");
}
