import { formatBytes } from "../bytes";
import { z } from "zod";
import { log } from "../log";
import { defineTool, ToolError } from "../tools/tool";
import type { KnowledgeToolContext } from "./access";
import { DOC_ID, DOC_ID_RULE } from "./document";
import { boundEntries, citation, pickLibrary } from "./tool-output";

const SEARCH_HITS = 8;

const library = z.string().max(63).optional().describe("Which library; may be left out when the bot has only one");
const searched = z
  .string()
  .max(63)
  .optional()
  .describe("Which library; left out, all of the bot's libraries are searched");
const docId = z.string().regex(DOC_ID, `a document id is ${DOC_ID_RULE}`);

export const searchKnowledge = defineTool({
  name: "search_knowledge",
  description:
    "Search the knowledge library for passages about a question, best first. Each passage shows its document's title, " +
    "section and id: cite them as 'Title › Section (id: …)'. Use read_document for the whole text.",
  input: z.object({
    query: z.string().min(1).max(500).describe("The question or keywords, in plain words"),
    library: searched,
  }),
  async run({ query, library: requested }, context: KnowledgeToolContext) {
    // Named, or the only one: that library. Otherwise every library the bot reads, best passages first.
    const names =
      requested !== undefined || (context.knowledge?.readable.length ?? 0) <= 1
        ? [pickLibrary(context, requested, "read").name]
        : context.knowledge!.readable;
    const found = await Promise.all(
      names.map(async (name) =>
        (await context.knowledge!.library(name).search(query, SEARCH_HITS)).map((p) => ({ ...p, name })),
      ),
    );
    // bm25: lower is better.
    const passages = found
      .flat()
      .sort((a, b) => a.score - b.score)
      .slice(0, SEARCH_HITS);
    const where = names.length === 1 ? `library "${names[0]}"` : `libraries ${names.map((n) => `"${n}"`).join(", ")}`;
    log("info", "knowledge.searched", {
      bot: context.botId,
      room: context.room.id,
      library: names.join(","),
      hits: passages.length,
    });
    if (passages.length === 0) {
      return `Nothing in ${where} matches. Try other words (a synonym, the policy's name), or list_documents to see what it holds.`;
    }
    const entries = passages.map(
      (p, i) =>
        `[${i + 1}] ${citation(p.title, p.heading, p.docId)}${names.length > 1 ? ` in library "${p.name}"` : ""}\n${p.snippet.trim()}`,
    );
    return boundEntries(`Passages from ${where}, best first:`, entries, "\n\n", "ask a narrower question");
  },
});

export const readDocument = defineTool({
  name: "read_document",
  description:
    "Read a document of the knowledge library by its id (from search_knowledge or list_documents). Long documents come in pages.",
  input: z.object({
    id: docId.describe("The document's id"),
    library,
    page: z.number().int().min(1).optional().describe("Page number, from 1"),
  }),
  async run({ id, library: requested, page = 1 }, context: KnowledgeToolContext) {
    const { name, library } = pickLibrary(context, requested, "read");
    const doc = await library.read(id, page);
    if (!doc)
      throw new ToolError(
        `Library "${name}" has no document "${id}"; search_knowledge or list_documents show the ids it has.`,
      );
    if (doc.page !== page) throw new ToolError(`"${id}" has only ${doc.pages} page${doc.pages === 1 ? "" : "s"}.`);
    const source = doc.source ? `\nSource: ${doc.source}` : "";
    const more =
      doc.pages === 1
        ? ""
        : doc.page < doc.pages
          ? `\n\n(page ${doc.page} of ${doc.pages}; ask for page ${doc.page + 1})`
          : `\n\n(page ${doc.page} of ${doc.pages}; the end)`;
    // Bounded: a page is PAGE_CHARS, and titles and sources are capped when stored.
    return `# ${doc.title} (id: ${doc.id})${source}\n\n${doc.text}${more}`;
  },
});

export const listDocuments = defineTool({
  name: "list_documents",
  description: "List the documents of the knowledge library: id, title and size.",
  input: z.object({ library }),
  async run({ library: requested }, context: KnowledgeToolContext) {
    const { name, library } = pickLibrary(context, requested, "read");
    const docs = await library.list();
    if (docs.length === 0) return `Library "${name}" has no documents yet.`;
    const lines = docs.map((d) => `- ${d.id}: ${d.title} (${formatBytes(d.size)})`);
    return boundEntries(
      `Library "${name}" has ${docs.length} document${docs.length === 1 ? "" : "s"}:`,
      lines,
      "\n",
      "search_knowledge finds documents by what they say",
    );
  },
});

export const storeDocument = defineTool({
  name: "store_document",
  description:
    "Store a Markdown document in the knowledge library so later conversations can find it; a document with the same id " +
    "is replaced. Use a short, stable id like 'expense-policy'.",
  input: z.object({
    id: docId.describe("The document's id: letters, digits, '-', '_', '.'"),
    title: z.string().min(1).max(200).describe("The document's title"),
    body: z.string().min(1).describe("The document's text, in Markdown"),
    library,
  }),
  async run({ id, title, body, library: requested }, context: KnowledgeToolContext) {
    const { name, library } = pickLibrary(context, requested, "write");
    const result = await library.put({
      id,
      title,
      source: `stored by ${context.botId} for ${context.asker.name}`,
      body,
    });
    if (!result.ok) throw new ToolError(`Not stored: ${result.refusal.reason}.`);
    log("info", "knowledge.stored", {
      bot: context.botId,
      room: context.room.id,
      library: name,
      doc: id,
      size: result.size,
      created: result.created,
    });
    return `${result.created ? "Stored" : "Replaced"} "${title}" (id: ${id}) in library "${name}": ${formatBytes(result.size)}, ${result.chunks} passage${result.chunks === 1 ? "" : "s"}.`;
  },
});
