import { formatBytes } from "../bytes";
/**
 * What one library holds at most. A document is one SQLite row, and rows must stay well under the 2 MB limit;
 * a Durable Object's storage is plentiful, but a library this size is already more than search serves well.
 */
export const LIMITS = {
  documentBytes: 512 * 1024,
  documents: 500,
  libraryBytes: 50 * 1024 * 1024,
} as const;

/** What each passage adds to the count besides the trail, title and id it repeats: its row and its index entries. */
export const PASSAGE_BYTES = 64;

/**
 * On disk a library takes at most this many times what its limit counts (the passages' text and the index are the
 * rest): the README promises it, and test/integration/knowledge.test.ts holds the library to it.
 */
export const STORED_MULTIPLE = 6;

/**
 * What a document counts against its library's size: its own text, and for each of its passages the heading trail,
 * title and id the passage repeats, and PASSAGE_BYTES. So a document of many tiny sections counts what it costs.
 */
export function countedBytes(doc: { id: string; title: string; size: number }, chunks: { heading: string }[]): number {
  const encoder = new TextEncoder();
  const repeated = encoder.encode(doc.id).byteLength + encoder.encode(doc.title).byteLength + PASSAGE_BYTES;
  return chunks.reduce((sum, chunk) => sum + repeated + encoder.encode(chunk.heading).byteLength, doc.size);
}

/** Why a document was not stored; the admin API answers 413, 409 or 422 with the reason. */
export interface Refusal {
  kind: "document_too_large" | "too_many_documents" | "library_full" | "empty_document";
  reason: string;
}

export function documentTooLarge(bytes: number): Refusal {
  return {
    kind: "document_too_large",
    reason: `the document is ${formatBytes(bytes)}; a document may be at most ${formatBytes(LIMITS.documentBytes)} of UTF-8 text — split it into several documents`,
  };
}

export function tooManyDocuments(): Refusal {
  return {
    kind: "too_many_documents",
    reason: `the library already holds ${LIMITS.documents} documents, its limit — delete documents it no longer needs, or start another library`,
  };
}

export function libraryFull(usedBytes: number, addedBytes: number): Refusal {
  return {
    kind: "library_full",
    reason: `the library holds ${formatBytes(usedBytes)}; adding ${formatBytes(addedBytes)} would pass its limit of ${formatBytes(LIMITS.libraryBytes)} (a document counts its text, and each passage its heading trail, title and id) — delete documents it no longer needs, or start another library`,
  };
}

export function emptyDocument(): Refusal {
  return {
    kind: "empty_document",
    reason:
      "the document has no text to search (only blank lines or headings); send its Markdown or plain text as the body",
  };
}
