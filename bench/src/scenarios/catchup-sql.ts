// The catch-up read, as apps/server/src/data/changes.ts (readChangesSince) issues it: the
// changes after a cursor in commit order, capped, with the head of the same snapshot.
// Mirrored here only to EXPLAIN and time the statement; the end-to-end resumes measured
// next to it go through the real server.
const CURSOR = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
const cursorOf = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', ${CURSOR})`;

export const CATCHUP_SQL = `SELECT ${cursorOf("s.head")} AS head, c.*
  FROM spaces s
  LEFT JOIN LATERAL (
    SELECT i.id, i.space_id, i.author_id, i.content,
      ${cursorOf("i.created_at")} AS created_at,
      ${cursorOf("i.updated_at")} AS updated_at,
      ${cursorOf("i.deleted_at")} AS deleted_at
    FROM intentions i
    WHERE i.space_id = s.id AND i.updated_at > $2::timestamptz
    ORDER BY i.updated_at
    LIMIT $3
  ) c ON true
  WHERE s.id = $1`;

/** The original design's read (peers/persist.mjs listAll): every live intention of the space. */
export const FULL_SCAN_SQL = `SELECT id, space_id AS "spaceId", author_id AS "authorId", content,
  ${cursorOf("created_at")} AS "createdAt", ${cursorOf("updated_at")} AS "updatedAt"
  FROM intentions WHERE space_id = $1 AND deleted_at IS NULL ORDER BY created_at`;

/** The cursor with exactly `missed` changes after it. */
export const CURSOR_BACK_SQL = `SELECT ${cursorOf("updated_at")} AS cursor FROM intentions
  WHERE space_id = $1 ORDER BY updated_at DESC OFFSET $2 LIMIT 1`;
