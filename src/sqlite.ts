/** What the helpers below run statements through: a Durable Object's `ctx.storage.sql`, or a metered wrapper of it. */
type Sql = Pick<SqlStorage, "exec">;

/** The tables a Durable Object's SQLite holds, in one statement (a created-on-first-use schema asks this once per life). */
export function tableNames(sql: Sql): Set<string> {
  return new Set(sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((t) => t.name));
}

/** The columns a table has. */
export function columnNames(sql: Sql, table: string): Set<string> {
  return new Set(sql.exec<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`).toArray().map((c) => c.name));
}

/**
 * Adds the columns (`"name TYPE …"`) a table stored by an older release lacks, so a deploy upgrades objects in place.
 * New columns must allow their default for the rows already there.
 */
export function addMissingColumns(sql: Sql, table: string, columns: string[]): void {
  const have = columnNames(sql, table);
  for (const column of columns) if (!have.has(column.split(" ")[0]!)) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column}`);
}
