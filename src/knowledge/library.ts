import { DurableObject } from "cloudflare:workers";
import { chunkMarkdown } from "./chunk";
import {
  countedBytes,
  documentTooLarge,
  emptyDocument,
  libraryFull,
  LIMITS,
  PASSAGE_BYTES,
  type Refusal,
  tooManyDocuments,
} from "./limits";
import { pageOf } from "./pages";
import { ftsQuery } from "./query";
import { columnNames, tableNames } from "../sqlite";

export interface DocumentInput {
  id: string;
  title: string;
  source: string | null;
  body: string;
}

export interface DocumentSummary {
  id: string;
  title: string;
  source: string | null;
  /** Bytes of UTF-8 text. */
  size: number;
  /** What the document counts against the library's size (countedBytes). */
  counted: number;
  updatedAt: number;
}

export interface StoredDocument extends DocumentSummary {
  body: string;
}

/** One page of a document, for reading a long one in steps. */
export interface DocumentPage extends DocumentSummary {
  page: number;
  pages: number;
  text: string;
}

/** A search hit: the passage's document, its heading trail, and a snippet with the matched words in **bold**. */
export interface Passage {
  docId: string;
  title: string;
  heading: string;
  snippet: string;
  /** bm25: lower is better. */
  score: number;
}

export type PutResult =
  | { ok: true; created: boolean; size: number; counted: number; chunks: number }
  | { ok: false; refusal: Refusal };

// A document's chunks have rowids num·2²⁰ + n, so replacing a document deletes one rowid range (cheap in FTS5).
const CHUNK_SPAN = 2 ** 20;

// A replaced document's passages leave the index at once, instead of as markers until a merge: replacing a
// document again and again then keeps the index near its size (else it grew to more than twice that between merges).
const SECURE_DELETE = "INSERT INTO chunks (chunks, rank) VALUES ('secure-delete', 1);";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS documents (
  num INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  source TEXT,
  body TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  size INTEGER NOT NULL,
  counted INTEGER NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks USING fts5(doc_id UNINDEXED, title, heading, text, tokenize = 'porter unicode61');
${SECURE_DELETE}`;

const SUMMARY_COLUMNS = "id, title, source, size, counted, updated_at AS updatedAt";

/**
 * One knowledge library: documents and a full-text index of their chunks, in this object's SQLite. Bots with
 * the library in `knowledge` search and read it; operators (and bots with `knowledge_write`) store documents.
 * Tables are created by the first document stored, so looking up a misspelt library leaves nothing behind.
 */
export class Library extends DurableObject<Env> {
  private ready = false;

  /** Stores a document, replacing one with the same id, all at once or not at all. */
  put(doc: DocumentInput): PutResult {
    const size = new TextEncoder().encode(doc.body).byteLength;
    if (size > LIMITS.documentBytes) return { ok: false, refusal: documentTooLarge(size) };
    const chunks = chunkMarkdown(doc.body);
    if (chunks.length === 0) return { ok: false, refusal: emptyDocument() };
    const counted = countedBytes({ id: doc.id, title: doc.title, size }, chunks);
    this.create();
    const sql = this.ctx.storage.sql;
    return this.ctx.storage.transactionSync((): PutResult => {
      const old = sql
        .exec<{ num: number; counted: number }>("SELECT num, counted FROM documents WHERE id = ?", doc.id)
        .toArray()[0];
      const totals = sql
        .exec<{ count: number; bytes: number }>(
          "SELECT count(*) AS count, coalesce(sum(counted), 0) AS bytes FROM documents",
        )
        .one();
      if (!old && totals.count >= LIMITS.documents) return { ok: false, refusal: tooManyDocuments() };
      const used = totals.bytes - (old?.counted ?? 0);
      if (used + counted > LIMITS.libraryBytes) return { ok: false, refusal: libraryFull(used, counted) };

      const { num } = sql
        .exec<{ num: number }>(
          `INSERT INTO documents (id, title, source, body, updated_at, size, counted) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET title = excluded.title, source = excluded.source, body = excluded.body,
             updated_at = excluded.updated_at, size = excluded.size, counted = excluded.counted
           RETURNING num`,
          doc.id,
          doc.title,
          doc.source,
          doc.body,
          Date.now(),
          size,
          counted,
        )
        .one();
      sql.exec("DELETE FROM chunks WHERE rowid >= ? AND rowid < ?", num * CHUNK_SPAN, (num + 1) * CHUNK_SPAN);
      chunks.forEach((chunk, n) => {
        sql.exec(
          "INSERT INTO chunks (rowid, doc_id, title, heading, text) VALUES (?, ?, ?, ?, ?)",
          num * CHUNK_SPAN + n,
          doc.id,
          doc.title,
          chunk.heading,
          chunk.text,
        );
      });
      return { ok: true, created: !old, size, counted, chunks: chunks.length };
    });
  }

  /** Every document's summary, by id. */
  list(): DocumentSummary[] {
    if (!this.exists()) return [];
    return this.ctx.storage.sql
      .exec<SummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM documents ORDER BY id`)
      .toArray()
      .map(summary);
  }

  /** The whole document, or null if the library has none with this id. */
  document(id: string): StoredDocument | null {
    if (!this.exists()) return null;
    const row = this.ctx.storage.sql
      .exec<SummaryRow & { body: string }>(`SELECT ${SUMMARY_COLUMNS}, body FROM documents WHERE id = ?`, id)
      .toArray()[0];
    return row ? { ...summary(row), body: row.body } : null;
  }

  /** Page `page` (from 1) of a document; a page past the end is the last page. */
  read(id: string, page: number): DocumentPage | null {
    const doc = this.document(id);
    if (!doc) return null;
    const { body, ...rest } = doc;
    return { ...rest, ...pageOf(body, page) };
  }

  /** Deletes a document and its chunks; false if there was none. */
  remove(id: string): boolean {
    if (!this.exists()) return false;
    const sql = this.ctx.storage.sql;
    return this.ctx.storage.transactionSync(() => {
      const row = sql.exec<{ num: number }>("DELETE FROM documents WHERE id = ? RETURNING num", id).toArray()[0];
      if (!row) return false;
      sql.exec("DELETE FROM chunks WHERE rowid >= ? AND rowid < ?", row.num * CHUNK_SPAN, (row.num + 1) * CHUNK_SPAN);
      return true;
    });
  }

  /** The best `limit` passages for a question in any words, best first; none for text with no word in it. */
  search(query: string, limit: number): Passage[] {
    const match = ftsQuery(query);
    if (!match || !this.exists()) return [];
    return this.ctx.storage.sql
      .exec<{ docId: string; title: string; heading: string; snippet: string; score: number }>(
        // Weights per column (doc_id, title, heading, text): a word in a heading says more than one in the text.
        `SELECT doc_id AS docId, title, heading, snippet(chunks, 3, '**', '**', ' … ', 48) AS snippet,
           bm25(chunks, 0, 3.0, 2.0, 1.0) AS score
         FROM chunks WHERE chunks MATCH ? ORDER BY score LIMIT ?`,
        match,
        limit,
      )
      .toArray();
  }

  private exists(): boolean {
    if (this.ready) return true;
    if (!tableNames(this.ctx.storage.sql).has("documents")) return false;
    if (!columnNames(this.ctx.storage.sql, "documents").has("counted")) this.countPassages();
    this.ready = true;
    return true;
  }

  /** A library stored before passages counted against its size gets them counted, from the passages it holds. */
  private countPassages(): void {
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      sql.exec("ALTER TABLE documents ADD COLUMN counted INTEGER NOT NULL DEFAULT 0");
      sql.exec(SECURE_DELETE);
      sql.exec(
        `UPDATE documents SET counted = size + coalesce((
           SELECT sum(length(CAST(heading AS BLOB)) + length(CAST(title AS BLOB)) + length(CAST(doc_id AS BLOB)) + ?)
           FROM chunks WHERE rowid >= documents.num * ? AND rowid < (documents.num + 1) * ?), 0)`,
        PASSAGE_BYTES,
        CHUNK_SPAN,
        CHUNK_SPAN,
      );
    });
  }

  private create(): void {
    if (this.exists()) return;
    this.ctx.storage.sql.exec(SCHEMA);
    this.ready = true;
  }
}

type SummaryRow = {
  id: string;
  title: string;
  source: string | null;
  size: number;
  counted: number;
  updatedAt: number;
};

const summary = (row: SummaryRow): DocumentSummary => ({
  id: row.id,
  title: row.title,
  source: row.source,
  size: row.size,
  counted: row.counted,
  updatedAt: row.updatedAt,
});
