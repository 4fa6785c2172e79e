import { type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Db } from "./client.ts";

/**
 * A timestamp as a cursor string, formatted by Postgres so that no microsecond is lost
 * on the way through a JS Date: `2025-07-28T10:30:16.123456Z`.
 */
export function cursorOf(column: AnyPgColumn | SQL): SQL<string> {
  return sql<string>`to_char(${column} AT TIME ZONE 'UTC', ${sql.raw(CURSOR_FORMAT)})`;
}

const CURSOR_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** `cursorOf` for hand-written statements: `column` is a trusted identifier, never input. */
export function cursorSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', ${CURSOR_FORMAT})`;
}

/** A cursor string as a timestamptz parameter. */
export function asTimestamp(cursor: string): SQL {
  return sql`${cursor}::timestamptz`;
}

/**
 * A drizzle column map as a raw select list, each column under its key, so that a raw
 * statement's rows have the shape of the same map in a drizzle select.
 */
export function selectList(columns: Record<string, AnyPgColumn | SQL>): SQL {
  const items = Object.entries(columns).map(
    ([name, column]) => sql`${column} AS ${sql.identifier(name)}`,
  );
  return sql.join(items, sql`, `);
}

/** Rows of a raw statement: PGlite answers `{ rows }`, postgres.js an array. */
export async function rowsOf<T>(db: Pick<Db, "execute">, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** Postgres' unique_violation, whichever driver raised it. */
export function isUniqueViolation(error: unknown): boolean {
  return hasSqlState(error, "23505");
}

/** Whether Postgres raised `sqlState`, whichever driver wrapped the error. */
export function hasSqlState(error: unknown, sqlState: string): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    if ((current as { code?: string }).code === sqlState) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * A statement built once per database and then only executed: building a drizzle query
 * costs more CPU than the round trip for the small statements every request runs.
 */
export function preparedPerDb<S>(build: (db: Db) => S): (db: Db) => S {
  const statements = new WeakMap<Db, S>();
  return (db) => {
    let statement = statements.get(db);
    if (!statement) {
      statement = build(db);
      statements.set(db, statement);
    }
    return statement;
  };
}

/** A hand-written statement's rows, run with its named values. */
export type PreparedStatement<Row> = (db: Db, values: Record<string, unknown>) => Promise<Row[]>;

/**
 * A hand-written statement with numbered parameters (`$1` is `params[0]`, and so on), sent
 * as a named prepared statement: Postgres parses and plans it once per connection, and no
 * drizzle query is built per call. `text` must hold no input, only `$n` placeholders.
 */
export function preparedStatement<Row>(
  name: string,
  text: string,
  params: readonly string[],
): PreparedStatement<Row> {
  const statement = preparedPerDb((db) =>
    db._.session.prepareQuery(
      { sql: text, params: params.map((param) => sql.placeholder(param)) },
      undefined,
      name,
      false,
    ),
  );
  return async (db, values) => {
    // Without fields, each driver answers in its own shape: PGlite `{ rows }`, postgres.js an array.
    const result = (await statement(db).execute(values)) as Row[] | { rows: Row[] };
    return Array.isArray(result) ? result : result.rows;
  };
}
