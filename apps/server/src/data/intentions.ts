import type { Intention } from "@rhizome/protocol";
import type { Db } from "../db/client.ts";
import { preparedStatement } from "../db/sql.ts";
import type { CheckedAccess, Role } from "./spaces.ts";
import { intentionList, SESSION_CTE } from "./write-sql.ts";

/** What the history statement found: the caller's access, and the page. */
export type HistoryOutcome = CheckedAccess<{ intentions: Intention[]; hasMore: boolean }>;

type HistoryRow = {
  beingId: string | null;
  visibility: "public" | "private" | null;
  role: Role | null;
} & ({ [K in keyof Intention]: Intention[K] } | { [K in keyof Intention]: null });

/**
 * A page of history in one statement, one round trip: the session, the caller's access and
 * the live intentions created before `before` (default: the latest), newest first. The page
 * is read only where the read rule lets it be (public, or a member); the service still asks
 * `mayRead` of what was found, which stays the one rule (access/rule.ts).
 */
export const HISTORY_PAGE_SQL = `WITH ${SESSION_CTE}, access AS (
     SELECT s.id, s.visibility, m.role
     FROM session
     JOIN spaces AS s ON s.id = $2::uuid
     LEFT JOIN space_members AS m ON m.space_id = s.id AND m.being_id = session.being_id
   )
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
  const [first] = rows;
  if (!first?.beingId) return { kind: "no-session" };
  if (!first.visibility) return { kind: "no-space" };
  const page = rows.flatMap(({ beingId: _, visibility: __, role: ___, ...row }) =>
    row.id === null ? [] : [row as Intention],
  );
  return {
    kind: "found",
    visibility: first.visibility,
    role: first.role,
    intentions: page.slice(0, input.limit).reverse(),
    hasMore: page.length > input.limit,
  };
}
