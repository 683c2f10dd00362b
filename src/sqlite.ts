/** What the helpers below run statements through: a Durable Object's `ctx.storage.sql`, or a metered wrapper of it. */
export type Sql = Pick<SqlStorage, "exec">;

/**
 * The tables a Durable Object's SQLite holds, each with its `CREATE TABLE` text, in one statement (a schema created
 * on first use asks this once per object life; the text tells which columns an older release's table lacks).
 */
export function tableDefinitions(sql: Sql): Map<string, string> {
  return new Map(
    sql
      .exec<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .map((t) => [t.name, t.sql]),
  );
}

export function tableNames(sql: Sql): Set<string> {
  return new Set(tableDefinitions(sql).keys());
}

/** The columns a table has. */
export function columnNames(sql: Sql, table: string): Set<string> {
  return new Set(
    sql
      .exec<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
      .toArray()
      .map((c) => c.name),
  );
}

/**
 * Adds the columns (`"name TYPE …"`) a table stored by an older release lacks, so a deploy upgrades objects in place;
 * judged from its `CREATE TABLE` text when the caller has it (no statement), else from its columns. New columns
 * must allow their default for the rows already there.
 */
export function addMissingColumns(sql: Sql, table: string, columns: string[], createSql?: string): void {
  const have = createSql === undefined ? columnNames(sql, table) : null;
  for (const column of columns) {
    const name = column.split(" ")[0]!;
    const present = have ? have.has(name) : new RegExp(`\\b${name}\\b`).test(createSql!);
    if (!present) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column}`);
  }
}
