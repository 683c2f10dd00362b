import { tableNames } from "../sqlite";
import type { Day } from "./task-rules";

/** One task on a person's list. */
export interface Task {
  /** Its number on this person's list; never given again, so "#4" always means the same task. */
  id: number;
  title: string;
  /** The day it is due, in the bot's time zone; null for none. */
  due: Day | null;
  createdAt: number;
  /** When it was marked done, in epoch milliseconds; null while it is open. */
  doneAt: number | null;
}

// AUTOINCREMENT: a removed task's number is not handed to the next one, so an old "#4" cannot mean a new task.
const SCHEMA = `CREATE TABLE IF NOT EXISTS tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, due TEXT,
created_at INTEGER NOT NULL, done_at INTEGER)`;

type Row = { id: number; title: string; due: string | null; created_at: number; done_at: number | null };

const toTask = (row: Row): Task => ({
  id: row.id,
  title: row.title,
  due: row.due,
  createdAt: row.created_at,
  doneAt: row.done_at,
});

const COLUMNS = "id, title, due, created_at, done_at";

/**
 * A person's task list in their memory object's SQLite, beside the memory's files. The table is made by the first
 * task only, so a memory without tasks (and one written before tasks existed) has none.
 */
export class TaskStore {
  private exists: boolean;

  constructor(private readonly storage: DurableObjectStorage) {
    this.exists = tableNames(this.sql).has("tasks");
  }

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  /** The object's storage was erased as a whole: the table is gone with it. */
  erased(): void {
    this.exists = false;
  }

  get(id: number): Task | null {
    if (!this.exists) return null;
    const [row] = this.sql.exec<Row>(`SELECT ${COLUMNS} FROM tasks WHERE id = ?`, id).toArray();
    return row ? toTask(row) : null;
  }

  /** Open tasks first — by due day, those without one last, then as added — then done ones, the latest first. */
  all(): Task[] {
    if (!this.exists) return [];
    return this.sql
      .exec<Row>(`SELECT ${COLUMNS} FROM tasks ORDER BY done_at IS NOT NULL, done_at DESC, due IS NULL, due, id`)
      .toArray()
      .map(toTask);
  }

  count(): { open: number; done: number } {
    if (!this.exists) return { open: 0, done: 0 };
    return this.sql
      .exec<{ open: number; done: number }>(
        "SELECT count(*) - count(done_at) AS open, count(done_at) AS done FROM tasks",
      )
      .one();
  }

  add(title: string, due: Day | null, now: number): Task {
    if (!this.exists) {
      this.sql.exec(SCHEMA);
      this.exists = true;
    }
    const row = this.sql
      .exec<Row>(`INSERT INTO tasks (title, due, created_at) VALUES (?, ?, ?) RETURNING ${COLUMNS}`, title, due, now)
      .one();
    return toTask(row);
  }

  update(id: number, changes: { title?: string; due?: Day | null; doneAt?: number | null }): void {
    if (changes.title !== undefined) this.sql.exec("UPDATE tasks SET title = ? WHERE id = ?", changes.title, id);
    if (changes.due !== undefined) this.sql.exec("UPDATE tasks SET due = ? WHERE id = ?", changes.due, id);
    if (changes.doneAt !== undefined) this.sql.exec("UPDATE tasks SET done_at = ? WHERE id = ?", changes.doneAt, id);
  }

  delete(id: number): void {
    if (this.exists) this.sql.exec("DELETE FROM tasks WHERE id = ?", id);
  }

  /** Drops the done tasks beyond the `keep` most recently done. */
  keepDone(keep: number): void {
    if (!this.exists) return;
    this.sql.exec(
      "DELETE FROM tasks WHERE id IN (SELECT id FROM tasks WHERE done_at IS NOT NULL ORDER BY done_at DESC, id DESC LIMIT -1 OFFSET ?)",
      keep,
    );
  }
}
