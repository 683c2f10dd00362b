/**
 * The admin knowledge API from Node: what `npm run knowledge` and `npm run dev` use to upload, list and delete
 * documents of a deployed or local Worker. Every call prints one line per document and returns whether all went well.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { documentIds } from "../src/knowledge/document.ts";
import { formatBytes } from "../src/bytes.ts";

export interface Target {
  /** The Worker's base URL, e.g. http://localhost:8787. */
  url: string;
  token: string;
}

const UPLOADABLE = /\.(md|markdown|txt)$/i;

async function call(
  target: Target,
  method: string,
  path: string,
  body?: Uint8Array<ArrayBuffer>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${target.url.replace(/\/+$/, "")}/admin/knowledge/${path}`, {
    method,
    headers: { authorization: `Bearer ${target.token}`, "content-type": "text/markdown; charset=utf-8" },
    body,
  });
  const text = await response.text();
  try {
    return { status: response.status, json: JSON.parse(text) as Record<string, unknown> };
  } catch {
    // Not the admin API's JSON: what answered is quoted, with what a plain 404 means from this Worker.
    const said = text.trim() ? `"${text.trim().slice(0, 200)}"` : response.statusText || "(no body)";
    const hint =
      response.status === 404 ? ` (no knowledge API at ${target.url}: a Worker without ADMIN_TOKEN answers 404)` : "";
    return { status: response.status, json: { error: said + hint } };
  }
}

/** The .md/.markdown/.txt files of a folder (not its subfolders), or the one file given. */
async function filesAt(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const names = (await readdir(path)).filter((name) => UPLOADABLE.test(name)).sort();
  return names.map((name) => join(path, name));
}

/** Uploads a file or a folder's files into a library, each as the document named by its file name. */
export async function putDocuments(
  target: Target,
  library: string,
  path: string,
  print = console.log,
): Promise<boolean> {
  const files = await filesAt(path);
  if (files.length === 0) print(`${path}: no .md, .markdown or .txt files to upload`);
  const { ids, clashes } = documentIds(files.map((file) => basename(file)));
  // Checked before anything is sent: uploaded, one of two such files would silently replace the other.
  for (const clash of clashes) print(`FAILED   ${clash}; nothing was uploaded`);
  if (clashes.length > 0) return false;
  let ok = files.length > 0;
  for (const [i, file] of files.entries()) {
    const id = ids[i]!;
    try {
      const { status, json } = await call(
        target,
        "PUT",
        `${encodeURIComponent(library)}/${encodeURIComponent(id)}`,
        new Uint8Array(await readFile(file)),
      );
      if (status >= 400) throw new Error(`${status} ${String(json.error)}`);
      print(
        `${json.created ? "added   " : "replaced"} ${library}/${id}  "${String(json.title)}", ${formatBytes(Number(json.size))}, ${plural(Number(json.chunks), "passage")}, counts ${formatBytes(Number(json.counted))}`,
      );
    } catch (error) {
      ok = false;
      print(`FAILED   ${file} → ${library}/${id}: ${describe(error, target)}`);
    }
  }
  return ok;
}

/** Prints a library's documents with their sizes. */
export async function listDocuments(target: Target, library: string, print = console.log): Promise<boolean> {
  try {
    const { status, json } = await call(target, "GET", encodeURIComponent(library));
    if (status >= 400) throw new Error(`${status} ${String(json.error)}`);
    const docs = json.documents as { id: string; title: string; size: number; updatedAt: string }[];
    const limits = json.limits as { libraryBytes: number };
    print(
      `${library}: ${plural(docs.length, "document")}, ${formatBytes(Number(json.bytes))}; counts ${formatBytes(Number(json.counted))} of its ${formatBytes(limits.libraryBytes)}`,
    );
    for (const doc of docs)
      print(`  ${doc.id.padEnd(32)} ${formatBytes(doc.size).padStart(8)}  ${doc.updatedAt}  ${doc.title}`);
    return true;
  } catch (error) {
    print(`FAILED   list ${library}: ${describe(error, target)}`);
    return false;
  }
}

/** Deletes one document. */
export async function deleteDocument(
  target: Target,
  library: string,
  id: string,
  print = console.log,
): Promise<boolean> {
  try {
    const { status, json } = await call(target, "DELETE", `${encodeURIComponent(library)}/${encodeURIComponent(id)}`);
    if (status >= 400) throw new Error(`${status} ${String(json.error)}`);
    print(`deleted  ${library}/${id}`);
    return true;
  } catch (error) {
    print(`FAILED   delete ${library}/${id}: ${describe(error, target)}`);
    return false;
  }
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

function describe(error: unknown, target: Target): string {
  const message = error instanceof Error ? error.message : String(error);
  return message === "fetch failed" ? `cannot reach ${target.url}; is the Worker running there?` : message;
}
