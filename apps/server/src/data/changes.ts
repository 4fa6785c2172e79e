import type { ChangeRecord, Intention } from "@rhizome/protocol";
import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { cursorSql, rowsOf, selectList } from "../db/sql.ts";
import { changeColumns, intentionColumns } from "./intention-columns.ts";

/** The sync path's reads. Each is one statement, so its head and rows share one snapshot. */

const HEAD = sql.raw(cursorSql("s.head"));

/** A row of the lateral reads below: the head, and a row (all null when none matched). */
type HeadRow = { head: string; id: string | null } & Record<string, unknown>;

/** The rows that matched, as `T` (the columns selected), without the head read with them. */
function matched<T>(rows: HeadRow[]): T[] {
  return rows.flatMap(({ head: _, ...row }) => (row.id === null ? [] : [row as T]));
}

/**
 * Changes after `since` in commit order, at most `limit`, with the space's head read in
 * the same snapshot. Uses the `(space_id, updated_at)` index. Undefined: no such space.
 */
export async function readChangesSince(
  db: Db,
  spaceId: string,
  since: string,
  limit: number,
): Promise<{ head: string; changes: ChangeRecord[] } | undefined> {
  const rows = await rowsOf<HeadRow>(
    db,
    sql`SELECT ${HEAD} AS head, c.*
        FROM spaces s
        LEFT JOIN LATERAL (
          SELECT ${selectList(changeColumns)}
          FROM intentions
          WHERE intentions.space_id = s.id AND intentions.updated_at > ${since}::timestamptz
          ORDER BY intentions.updated_at
          LIMIT ${limit}
        ) c ON true
        WHERE s.id = ${spaceId}`,
  );
  const first = rows[0];
  if (!first) return undefined;
  return { head: first.head, changes: matched<ChangeRecord>(rows) };
}

/** The latest live intentions (oldest first) and the head of the same snapshot: a reset. */
export async function readLatestPage(
  db: Db,
  spaceId: string,
  limit: number,
): Promise<{ head: string; page: Intention[] } | undefined> {
  const rows = await rowsOf<HeadRow>(
    db,
    sql`SELECT ${HEAD} AS head, p.*
        FROM spaces s
        LEFT JOIN LATERAL (
          SELECT ${selectList(intentionColumns)}
          FROM intentions
          WHERE intentions.space_id = s.id AND intentions.deleted_at IS NULL
          ORDER BY intentions.created_at DESC
          LIMIT ${limit}
        ) p ON true
        WHERE s.id = ${spaceId}`,
  );
  const first = rows[0];
  if (!first) return undefined;
  return { head: first.head, page: matched<Intention>(rows).reverse() };
}
