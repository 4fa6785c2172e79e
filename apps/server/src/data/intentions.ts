import type { Intention } from "@rhizome/protocol";
import type { Db } from "../db/client.ts";
import { preparedStatement } from "../db/sql.ts";
import { type AccessRow, type CheckedAccess, checkedAccess } from "./spaces.ts";
import { accessCte, intentionList, SESSION_CTE } from "./write-sql.ts";

/** What the history statement found: the caller's access, and the page. */
export type HistoryOutcome = CheckedAccess<{ intentions: Intention[]; hasMore: boolean }>;

type HistoryRow = AccessRow &
  ({ [K in keyof Intention]: Intention[K] } | { [K in keyof Intention]: null });

/**
 * A page of history in one statement, one round trip: the session, the caller's access and
 * the live intentions created before `before` (default: the latest), newest first. The page
 * is read only where the read rule lets it be (public, or a member); the service still asks
 * `mayRead` of what was found, which stays the one rule (access/rule.ts).
 */
export const HISTORY_PAGE_SQL = `WITH ${SESSION_CTE}, ${accessCte("$2::uuid")}
   SELECT session.being_id AS "beingId", access.visibility, access.role, page.*
   FROM (SELECT 1) AS one
   LEFT JOIN session ON true
   LEFT JOIN access ON true
   LEFT JOIN LATERAL (
     SELECT ${intentionList("i")}
     FROM intentions AS i
     WHERE i.space_id = access.id AND i.deleted_at IS NULL
       AND (access.visibility = 'public' OR access.role IS NOT NULL)
       AND i.created_at < coalesce($3::timestamptz, 'infinity')
     ORDER BY i.created_at DESC
     LIMIT $4
   ) AS page ON true`;

const historyStatement = preparedStatement<HistoryRow>("history_page", HISTORY_PAGE_SQL, [
  "sessionKey",
  "spaceId",
  "before",
  "limit",
]);

/** The page oldest first, with whether older intentions remain. */
export async function readHistoryPage(
  db: Db,
  input: { sessionKey: string; spaceId: string; before: string | undefined; limit: number },
): Promise<HistoryOutcome> {
  const rows = await historyStatement(db, {
    sessionKey: input.sessionKey,
    spaceId: input.spaceId,
    before: input.before ?? null,
    limit: input.limit + 1,
  });
  const page = rows.flatMap(({ beingId: _, visibility: __, role: ___, ...row }) =>
    row.id === null ? [] : [row as Intention],
  );
  return checkedAccess(rows[0], {
    intentions: page.slice(0, input.limit).reverse(),
    hasMore: page.length > input.limit,
  });
}
