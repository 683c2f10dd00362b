import type { FileStore, StoredFile } from "./file-store";
import { tableNames } from "../sqlite";

/**
 * `files` holds the person's memory files; `lifetime` one row with when the memory was last used and how long
 * it lives after that, so the alarm can decide on its own whether the memory is due.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, content TEXT NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lifetime (id INTEGER PRIMARY KEY CHECK (id = 1), last_used_at INTEGER NOT NULL, ttl_ms INTEGER NOT NULL);`;

type FileRow = { path: string; content: string; updated_at: number };

export interface Lifetime {
  lastUsedAt: number;
  ttlMs: number;
}

const toFile = (row: FileRow): StoredFile => ({ path: row.path, content: row.content, updatedAt: row.updated_at });

/**
 * One person's memory in its object's SQLite. Tables are created by the first write only, so reading a memory
 * nobody has (an admin GET, a first `view`) leaves no storage behind for an alarm to clean up.
 */
export class MemoryStore implements FileStore {
  private exists: boolean;

  constructor(private readonly storage: DurableObjectStorage) {
    this.exists = tableNames(this.sql).has("files");
  }

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  private create(): void {
    if (this.exists) return;
    this.sql.exec(SCHEMA);
    this.exists = true;
  }

  get(path: string): StoredFile | null {
    if (!this.exists) return null;
    const [row] = this.sql.exec<FileRow>("SELECT path, content, updated_at FROM files WHERE path = ?", path).toArray();
    return row ? toFile(row) : null;
  }

  put(path: string, content: string, now: number): void {
    this.create();
    this.sql.exec(
      "INSERT INTO files (path, content, updated_at) VALUES (?, ?, ?) ON CONFLICT (path) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at",
      path,
      content,
      now,
    );
  }

  delete(path: string): void {
    if (this.exists) this.sql.exec("DELETE FROM files WHERE path = ?", path);
  }

  listUnder(dir: string): StoredFile[] {
    if (!this.exists) return [];
    // Every path starting with "<dir>/" sorts between "<dir>/" and "<dir>0" ('0' follows '/'), so the key's index serves it.
    return this.sql
      .exec<FileRow>(
        "SELECT path, content, updated_at FROM files WHERE path > ? AND path < ? ORDER BY path",
        `${dir}/`,
        `${dir}0`,
      )
      .toArray()
      .map(toFile);
  }

  rename(from: string, to: string, now: number): void {
    this.sql.exec("UPDATE files SET path = ?, updated_at = ? WHERE path = ?", to, now, from);
  }

  fileCount(): number {
    return this.exists ? this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM files").one().n : 0;
  }

  lifetime(): Lifetime | null {
    if (!this.exists) return null;
    const [row] = this.sql
      .exec<{ last_used_at: number; ttl_ms: number }>("SELECT last_used_at, ttl_ms FROM lifetime")
      .toArray();
    return row ? { lastUsedAt: row.last_used_at, ttlMs: row.ttl_ms } : null;
  }

  recordUse(now: number, ttlMs: number): void {
    this.create();
    this.sql.exec(
      "INSERT INTO lifetime (id, last_used_at, ttl_ms) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET last_used_at = excluded.last_used_at, ttl_ms = excluded.ttl_ms",
      now,
      ttlMs,
    );
  }

  /** Removes the memory entirely: files, lifetime and alarm. */
  async erase(): Promise<void> {
    await this.storage.deleteAlarm();
    await this.storage.deleteAll();
    this.exists = false;
  }
}
