import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { loadConfig } from "../config";
import { type AuditEntry, recordAudit } from "../control/audit";
import { log } from "../log";
import { openLibrary } from "./access";
import { DOC_ID, DOC_ID_RULE, LIBRARY_NAME, LIBRARY_NAME_RULE, libraryKey, parseDocument } from "./document";
import { documentTooLarge, LIMITS, type Refusal } from "./limits";

type AppEnv = { Bindings: Env };

const STATUS: Record<Refusal["kind"], ContentfulStatusCode> = {
  document_too_large: 413,
  too_many_documents: 409,
  library_full: 409,
  empty_document: 422,
};

/** Front matter is not counted against the document limit, so a body may be a little larger before it is refused unread. */
const MAX_REQUEST_BYTES = LIMITS.documentBytes + 16 * 1024;

/**
 * Operators' knowledge API, mounted under /admin/knowledge behind ADMIN_TOKEN: store (PUT, the body as Markdown or
 * plain text), list, read and delete a library's documents. Answers are JSON: this API is not Campfire-facing.
 */
export const knowledgeAdmin = new Hono<AppEnv>();

knowledgeAdmin.put("/:library/:docId", async (c) => {
  const { docId } = c.req.param();
  const invalid = invalidNames(c.req.param("library"), docId);
  if (invalid) return c.json({ error: invalid }, 400);
  const library = libraryKey(c.req.param("library"));
  const declared = Number(c.req.header("content-length") ?? 0);
  if (declared > MAX_REQUEST_BYTES) return c.json({ error: documentTooLarge(declared).reason }, 413);
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > MAX_REQUEST_BYTES) return c.json({ error: documentTooLarge(bytes.byteLength).reason }, 413);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return c.json(
      { error: "the body is not UTF-8 text; save the file as UTF-8 (Markdown or plain text) and send it again" },
      422,
    );
  }
  const doc = parseDocument(docId, text, c.req.header("x-title"));
  const result = await openLibrary(c.env, library).put({ id: docId, ...doc });
  if (!result.ok) {
    log("warn", "knowledge.refused", { library, doc: docId, kind: result.refusal.kind });
    return c.json(
      { error: `document "${docId}" was not stored: ${result.refusal.reason}` },
      STATUS[result.refusal.kind],
    );
  }
  log("info", "knowledge.stored", {
    library,
    doc: docId,
    size: result.size,
    counted: result.counted,
    chunks: result.chunks,
    created: result.created,
  });
  await audit(c.env, library, {
    kind: "knowledge.stored",
    actor: "admin",
    detail: { library, doc: docId, created: result.created },
  });
  return c.json(
    {
      library,
      id: docId,
      title: doc.title,
      source: doc.source,
      size: result.size,
      counted: result.counted,
      chunks: result.chunks,
      created: result.created,
    },
    result.created ? 201 : 200,
  );
});

knowledgeAdmin.get("/:library", async (c) => {
  const invalid = invalidNames(c.req.param("library"));
  if (invalid) return c.json({ error: invalid }, 400);
  const library = libraryKey(c.req.param("library"));
  const documents = (await openLibrary(c.env, library).list()).map(({ updatedAt, ...doc }) => ({
    ...doc,
    updatedAt: iso(updatedAt),
  }));
  const bytes = documents.reduce((sum, doc) => sum + doc.size, 0);
  const counted = documents.reduce((sum, doc) => sum + doc.counted, 0);
  return c.json({ library, count: documents.length, bytes, counted, limits: LIMITS, documents });
});

knowledgeAdmin.get("/:library/:docId", async (c) => {
  const { docId } = c.req.param();
  const invalid = invalidNames(c.req.param("library"), docId);
  if (invalid) return c.json({ error: invalid }, 400);
  const library = libraryKey(c.req.param("library"));
  const doc = await openLibrary(c.env, library).document(docId);
  if (!doc) return notFound(c, library, docId);
  return c.json({ library, ...doc, updatedAt: iso(doc.updatedAt) });
});

knowledgeAdmin.delete("/:library/:docId", async (c) => {
  const { docId } = c.req.param();
  const invalid = invalidNames(c.req.param("library"), docId);
  if (invalid) return c.json({ error: invalid }, 400);
  const library = libraryKey(c.req.param("library"));
  if (!(await openLibrary(c.env, library).remove(docId))) return notFound(c, library, docId);
  log("info", "knowledge.deleted", { library, doc: docId });
  await audit(c.env, library, { kind: "knowledge.deleted", actor: "admin", detail: { library, doc: docId } });
  return c.json({ library, id: docId, deleted: true });
});

/** A library is shared: a change to it is in the audit log of every bot that reads it. */
async function audit(env: Env, library: string, entry: AuditEntry): Promise<void> {
  const readers = [...loadConfig(env).bots.values()].filter((bot) => bot.knowledge.read.includes(library));
  await Promise.all(readers.map((bot) => recordAudit(env, bot.id, entry)));
}

function invalidNames(library: string, docId?: string): string | null {
  if (!LIBRARY_NAME.test(library)) return `"${library}" is not a library name: use ${LIBRARY_NAME_RULE}`;
  if (docId !== undefined && !DOC_ID.test(docId)) return `"${docId}" is not a document id: use ${DOC_ID_RULE}`;
  return null;
}

const notFound = (c: Context<AppEnv>, library: string, docId: string) =>
  c.json({ error: `library "${library}" has no document "${docId}"` }, 404);

const iso = (ms: number) => new Date(ms).toISOString();
