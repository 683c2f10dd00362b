import type { ToolContext } from "../tools/tool";
import { libraryKey } from "./document";
import type { DocumentInput, DocumentPage, DocumentSummary, Passage, PutResult } from "./library";

/** What the knowledge tools ask of a library, as Library's RPC methods answer through a stub. */
export interface LibraryApi {
  search(query: string, limit: number): Promise<Passage[]>;
  read(id: string, page: number): Promise<DocumentPage | null>;
  list(): Promise<DocumentSummary[]>;
  put(doc: DocumentInput): Promise<PutResult>;
}

/** One bot's view of the libraries: which it may read (`knowledge`), which it may also store into (`knowledge_write`). */
export interface KnowledgeAccess {
  readable: string[];
  writable: string[];
  library(name: string): LibraryApi;
}

/** The Durable Object of a library, however its name is written. */
export const openLibrary = (env: Env, name: string) => env.KNOWLEDGE.getByName(libraryKey(name));

/** What the knowledge tools are handed: every tool's context, and this bot's libraries. */
export interface KnowledgeToolContext extends ToolContext {
  /** The knowledge libraries this bot may read and write; absent for a bot without `knowledge`. */
  knowledge?: KnowledgeAccess;
}

/** A bot's access from its settings; a writable library is readable too. */
export function knowledgeAccess(env: Env, readable: string[], writable: string[]): KnowledgeAccess {
  return {
    readable: [...new Set([...readable, ...writable].map(libraryKey))],
    writable: [...new Set(writable.map(libraryKey))],
    library: (name) => openLibrary(env, name),
  };
}
