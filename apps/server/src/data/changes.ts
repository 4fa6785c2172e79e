import type { ChangeRecord, Intention } from "@rhizome/protocol";
import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { cursorSql, rowsOf } from "../db/sql.ts";

/** The sync path's reads. Each is one statement, so its head and rows share one snapshot. */

const HEAD = sql.raw(cursorSql("s.head"));

type ChangeRow = {
  head: string;
  id: string | null;
  space_id: string;
  author_id: string;
  content: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
};

function toChange(row: ChangeRow): ChangeRecord {
  return {
    id: row.id as string,
    spaceId: row.space_id,
    authorId: row.author_id,
    content: row.content,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
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
    .map((row) => {
      const { deletedAt: _, ...intention } = toChange(row);
      return intention;
    })
    .reverse();
  return { head: first.head, page };
}
