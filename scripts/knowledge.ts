/**
 * `npm run knowledge -- <command>`: manage the knowledge libraries of a running Worker through its admin API.
 *   put <library> <file or folder>   upload .md/.markdown/.txt files; each file's name (slugged) is its document id
 *   list <library>                   the library's documents and sizes
 *   delete <library> <docId>         remove one document
 * Options: --url (else BOT_URL, else http://localhost:8787) and --token (else ADMIN_TOKEN). Exits 1 if anything failed.
 */
import { parseArgs } from "node:util";
import { deleteDocument, listDocuments, putDocuments, type Target } from "./knowledge-client.ts";

const USAGE =
  "usage: npm run knowledge -- put <library> <file or folder> | list <library> | delete <library> <docId> [--url URL] [--token TOKEN]";

const { values, positionals } = parseArgs({
  options: { url: { type: "string" }, token: { type: "string" } },
  allowPositionals: true,
});
const [command, library, arg] = positionals;
const complete =
  library !== undefined && (command === "list" || ((command === "put" || command === "delete") && arg !== undefined));
if (!complete) fail(USAGE);
const token = values.token ?? process.env.ADMIN_TOKEN;
if (!token) fail("no admin token: pass --token or set ADMIN_TOKEN (the Worker's ADMIN_TOKEN secret)");
const target: Target = { url: values.url ?? process.env.BOT_URL ?? "http://localhost:8787", token };

const ok =
  command === "put"
    ? await putDocuments(target, library, arg!)
    : command === "list"
      ? await listDocuments(target, library)
      : await deleteDocument(target, library, arg!);
process.exit(ok ? 0 : 1);

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
