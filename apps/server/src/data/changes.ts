import type { ChangeRecord, Intention } from "@rhizome/protocol";
import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { cursorSql, rowsOf } from "../db/sql.ts";
import { type IntentionRow, intentionFromRow } from "./intention-row.ts";

/** The sync path's reads. Each is one statement, so its head and rows share one snapshot. */

const HEAD = sql.raw(cursorSql("s.head"));

/** A row of the lateral reads below: the head, and an intention (all null when none matched). */
type ChangeRow = Omit<IntentionRow, "id"> & {
  head: string;
  id: string | null;
  deleted_at: string | null;
};

function toChange(row: ChangeRow): ChangeRecord {
  return { ...intentionFromRow(row as IntentionRow), deletedAt: row.deleted_at };
}

const changeColumns = sql.raw(`i.id, i.space_id, i.author_id, i.content,
  ${cursorSql("i.created_at")} AS created_at,
  ${cursorSql("i.updated_at")} AS updated_at,
  ${cursorSql("i.deleted_at")} AS deleted_at`);

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
  const rows = await rowsOf<ChangeRow>(
    db,
    sql`SELECT ${HEAD} AS head, c.*
        FROM spaces s
        LEFT JOIN LATERAL (
          SELECT ${changeColumns}
          FROM intentions i
          WHERE i.space_id = s.id AND i.updated_at > ${since}::timestamptz
          ORDER BY i.updated_at
          LIMIT ${limit}
        ) c ON true
        WHERE s.id = ${spaceId}`,
  );
  const first = rows[0];
  if (!first) return undefined;
  return { head: first.head, changes: rows.filter((row) => row.id !== null).map(toChange) };
}

/** The latest live intentions (oldest first) and the head of the same snapshot: a reset. */
export async function readLatestPage(
  db: Db,
  spaceId: string,
  limit: number,
): Promise<{ head: string; page: Intention[] } | undefined> {
  const rows = await rowsOf<ChangeRow>(
    db,
    sql`SELECT ${HEAD} AS head, p.*
        FROM spaces s
        LEFT JOIN LATERAL (
          SELECT ${changeColumns}
          FROM intentions i
          WHERE i.space_id = s.id AND i.deleted_at IS NULL
          ORDER BY i.created_at DESC
          LIMIT ${limit}
        ) p ON true
        WHERE s.id = ${spaceId}`,
  );
  const first = rows[0];
  if (!first) return undefined;
  const page = rows
    .filter((row) => row.id !== null)
    .map((row) => intentionFromRow(row as IntentionRow))
    .reverse();
  return { head: first.head, page };
}
