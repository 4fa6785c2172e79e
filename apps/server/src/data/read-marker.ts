import type { Cursor } from "@rhizome/protocol";
import type { Db } from "../db/client.ts";
import { preparedStatement } from "../db/sql.ts";
import type { RateWindow } from "./rate-limits.ts";
import { type AccessRow, type CheckedAccess, checkedAccess } from "./spaces.ts";
import {
  accessCte,
  runWrite,
  SESSION_CTE,
  takenCte,
  UNDER_LIMIT,
  WINDOW_PARAMS,
} from "./write-sql.ts";

/**
 * What the one statement of a read marker found and did: `taken`, the write limit counted it
 * (false: the window was full, or not a member).
 */
export type MarkReadOutcome = CheckedAccess<{ taken: boolean }>;

type MarkReadRow = AccessRow & { taken: boolean };

/**
 * A read marker in one statement, one round trip: the session, the membership and the write
 * limit are checked in its snapshot (as a post's are, write-sql.ts), and the marker moves
 * forward only, clamped to the space's head. A marker already past the cursor writes nothing.
 */
const markReadStatement = preparedStatement<MarkReadRow>(
  "mark_read",
  `WITH ${SESSION_CTE}, ${accessCte("$5::uuid", ", LEAST($6::timestamptz, s.head) AS mark")},
   allowed AS (
     SELECT 1 FROM access, session WHERE access.role IS NOT NULL AND ${UNDER_LIMIT}
   ), ${takenCte("EXISTS (SELECT 1 FROM allowed)")},
   moved AS (
     UPDATE space_members AS m SET read_at = access.mark FROM access, session
     WHERE m.space_id = $5::uuid AND m.being_id = session.being_id
       AND EXISTS (SELECT 1 FROM taken)
       AND (m.read_at IS NULL OR m.read_at < access.mark)
     RETURNING 1
   )
   SELECT session.being_id AS "beingId", access.visibility, access.role,
          EXISTS (SELECT 1 FROM taken) AS taken,
          (SELECT count(*) FROM moved) AS moved
   FROM (SELECT 1) AS one
   LEFT JOIN session ON true
   LEFT JOIN access ON true`,
  [...WINDOW_PARAMS, "spaceId", "cursor"],
);

export async function markRead(
  db: Db,
  input: { sessionKey: string; spaceId: string; cursor: Cursor; window: RateWindow },
): Promise<MarkReadOutcome> {
  const { window, ...marker } = input;
  const row = await runWrite(markReadStatement, db, { ...marker, ...window });
  return checkedAccess(row, { taken: row.taken });
}
