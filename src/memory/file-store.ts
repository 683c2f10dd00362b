/** One file of a person's memory. Directories are not stored: they exist while a file lies below them. */
export interface StoredFile {
  path: string;
  content: string;
  /** Epoch milliseconds of the last write. */
  updatedAt: number;
}

/** What the memory commands need from storage; synchronous, like the Durable Object's SQLite. */
export interface FileStore {
  get(path: string): StoredFile | null;
  /** Creates or replaces the file at `path`. */
  put(path: string, content: string, now: number): void;
  delete(path: string): void;
  /** Every file strictly below the directory `dir`, sorted by path. */
  listUnder(dir: string): StoredFile[];
  /** Moves one file; the caller has checked that `to` is free. */
  rename(from: string, to: string, now: number): void;
}

const encoder = new TextEncoder();

/** A file's size as stored and as the limits count it: UTF-8 bytes. */
export const byteSize = (text: string): number => encoder.encode(text).length;

/** Sizes the way a directory listing shows them: 312B, 4.5KB. */
export function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes}B` : `${Number((bytes / 1024).toFixed(1))}KB`;
}
