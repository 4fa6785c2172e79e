import type { ChangeRecord, Intention } from "@rhizome/protocol";
import type { Db } from "../db/client.ts";
import { cursorSql, preparedStatement } from "../db/sql.ts";
import { intentionList } from "./write-sql.ts";

/**
 * The sync path's reads. Each is one statement, so its head and rows share one snapshot, and
 * each is prepared once: a flush runs on every wake-up, before the first frame goes out.
 */

/** A row of the lateral reads below: the head, and a row (all null when none matched). */
type HeadRow = { head: string; id: string | null } & Record<string, unknown>;

/** The rows that matched, as `T` (the columns selected), without the head read with them. */
function matched<T>(rows: HeadRow[]): T[] {
  return rows.flatMap(({ head: _, ...row }) => (row.id === null ? [] : [row as T]));
}

const changesSinceStatement = preparedStatement<HeadRow>(
  "changes_since",
  `SELECT ${cursorSql("s.head")} AS head, c.*
   FROM spaces s
   LEFT JOIN LATERAL (
     SELECT ${intentionList("i")}, ${cursorSql("i.deleted_at")} AS "deletedAt"
     FROM intentions i
     WHERE i.space_id = s.id AND i.updated_at > $2::timestamptz
     ORDER BY i.updated_at
     LIMIT $3
   ) c ON true
   WHERE s.id = $1`,
  ["spaceId", "since", "limit"],
);

const latestPageStatement = preparedStatement<HeadRow>(
  "latest_page",
  `SELECT ${cursorSql("s.head")} AS head, p.*
   FROM spaces s
   LEFT JOIN LATERAL (
     SELECT ${intentionList("i")}
     FROM intentions i
     WHERE i.space_id = s.id AND i.deleted_at IS NULL
     ORDER BY i.created_at DESC
     LIMIT $2
   ) p ON true
   WHERE s.id = $1`,
  ["spaceId", "limit"],
);

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
  const rows = await changesSinceStatement(db, { spaceId, since, limit });
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
  const rows = await latestPageStatement(db, { spaceId, limit });
  const first = rows[0];
  if (!first) return undefined;
  return { head: first.head, page: matched<Intention>(rows).reverse() };
}
