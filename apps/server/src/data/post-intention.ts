import type { Intention } from "@rhizome/protocol";
import { SPACE_CHANGES_CHANNEL } from "../db/channels.ts";
import type { Db } from "../db/client.ts";
import { cursorSql, hasSqlState, isUniqueViolation, preparedStatement } from "../db/sql.ts";
import type { RateWindow } from "./rate-limits.ts";
import type { Role } from "./spaces.ts";

export type PostInput = {
  sessionKey: string;
  spaceId: string;
  id: string;
  content: string;
  /** The write limit's current window, taken inside the statement. */
  window: RateWindow;
};

/** What the one statement of a post found and did, for the service to answer from. */
export type PostOutcome =
  | { kind: "no-session" }
  | { kind: "no-space"; authorId: string }
  | {
      kind: "done";
      authorId: string;
      visibility: "public" | "private";
      role: Role | null;
      /** The write limit counted this post (false: the window was full). */
      taken: boolean;
      created: boolean;
      /** The inserted intention, or the one that already had the id (with its tombstone). */
      intention: (Intention & { deleted: boolean }) | undefined;
    };

/** One row, every column null that the statement did not reach. */
type PostRow = {
  beingId: string | null;
  visibility: "public" | "private" | null;
  role: Role | null;
  taken: boolean;
  created: boolean;
  deleted: boolean;
} & ({ [K in keyof Intention]: Intention[K] } | { [K in keyof Intention]: null });

const intentionList = (alias: string) =>
  `${alias}.id, ${alias}.space_id AS "spaceId", ${alias}.author_id AS "authorId", ${alias}.content,
   ${cursorSql(`${alias}.created_at`)} AS "createdAt", ${cursorSql(`${alias}.updated_at`)} AS "updatedAt"`;

/**
 * A post in one statement, one round trip (DESIGN §3, §7): the session, the membership, the
 * write limit, the space clock, the insert and the notification. Every check reads the
 * statement's snapshot, so a revocation committed before the post is seen by it.
 *
 * Locks are taken space row first, then the limit's row, in every writer, so they never
 * deadlock, and the limit's row (hot for one busy being) is held only from its upsert to the
 * commit. The limit is pre-checked on the snapshot, so a flood over it takes no lock at all.
 * An id already stored moves no clock and inserts nothing; it still counts as a write.
 *
 * The last column guards the clock: a step with no insert (the window filled between the
 * snapshot and the upsert) divides by zero, aborting the statement and the step with it.
 */
export const POST_INTENTION_SQL = `WITH session AS (
     SELECT being_id FROM sessions WHERE token_hash = $1::text AND expires_at > now()
   ), access AS (
     SELECT s.visibility, m.role
     FROM session
     JOIN spaces AS s ON s.id = $2::uuid
     LEFT JOIN space_members AS m ON m.space_id = s.id AND m.being_id = session.being_id
   ), existing AS (
     SELECT ${intentionList("i")}, i.deleted_at IS NOT NULL AS deleted
     FROM intentions AS i WHERE i.id = $3::uuid
   ), allowed AS (
     SELECT 1 FROM access, session
     WHERE access.role IS NOT NULL
       AND coalesce((SELECT count FROM rate_limits
                     WHERE key = $5::text || session.being_id::text
                       AND window_start = $6::bigint), 0) < $7::int
   ), clock AS (
     UPDATE spaces SET head = GREATEST(clock_timestamp(), head + interval '1 microsecond')
     WHERE id = $2::uuid AND EXISTS (SELECT 1 FROM allowed) AND NOT EXISTS (SELECT 1 FROM existing)
     RETURNING head
   ), taken AS (
     INSERT INTO rate_limits (key, window_start, count)
     SELECT $5::text || session.being_id::text, $6::bigint, 1 FROM session
     WHERE EXISTS (SELECT 1 FROM allowed)
       AND (EXISTS (SELECT 1 FROM clock) OR EXISTS (SELECT 1 FROM existing))
     ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
       WHERE rate_limits.count < $7::int
     RETURNING count
   ), inserted AS (
     INSERT INTO intentions AS n (id, space_id, author_id, content, created_at, updated_at)
     SELECT $3::uuid, $2::uuid, session.being_id, $4::text, clock.head, clock.head
     FROM clock, session WHERE EXISTS (SELECT 1 FROM taken)
     RETURNING ${intentionList("n")}
   ), notified AS (
     SELECT pg_notify('${SPACE_CHANGES_CHANNEL}', $2::text) FROM inserted
   )
   SELECT session.being_id AS "beingId", access.visibility, access.role,
          EXISTS (SELECT 1 FROM taken) AS taken,
          inserted.id IS NOT NULL AS created,
          coalesce(inserted.id, existing.id) AS id,
          coalesce(inserted."spaceId", existing."spaceId") AS "spaceId",
          coalesce(inserted."authorId", existing."authorId") AS "authorId",
          coalesce(inserted.content, existing.content) AS content,
          coalesce(inserted."createdAt", existing."createdAt") AS "createdAt",
          coalesce(inserted."updatedAt", existing."updatedAt") AS "updatedAt",
          coalesce(existing.deleted, false) AS deleted,
          (SELECT count(*) FROM notified) +
            CASE WHEN EXISTS (SELECT 1 FROM clock)
                 THEN 1 / (SELECT count(*)::int FROM inserted) ELSE 0 END AS guard
   FROM (SELECT 1) AS one
   LEFT JOIN session ON true
   LEFT JOIN access ON true
   LEFT JOIN inserted ON true
   LEFT JOIN existing ON true`;

/** The values of `$1`, `$2`, ... of the statement, in order. */
export const POST_INTENTION_PARAMS = [
  "sessionKey",
  "spaceId",
  "id",
  "content",
  "keyPrefix",
  "windowStart",
  "limit",
] as const;

const postStatement = preparedStatement<PostRow>(
  "post_intention",
  POST_INTENTION_SQL,
  POST_INTENTION_PARAMS,
);

/** Postgres' division_by_zero: the clock guard of the statement above. */
const CLOCK_GUARD = "22012";

/**
 * Runs the post's statement. A race it lost (the same id committed meanwhile, or the window
 * filled between its snapshot and its upsert) aborts it whole; it then runs again in a new
 * snapshot, which sees what won, and answers like any other replay or refusal.
 */
export async function postIntention(db: Db, input: PostInput): Promise<PostOutcome> {
  const values = {
    sessionKey: input.sessionKey,
    spaceId: input.spaceId,
    id: input.id,
    content: input.content,
    ...input.window,
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const [row] = await postStatement(db, values);
      return outcomeOf(row as PostRow);
    } catch (error) {
      const lostRace = isUniqueViolation(error) || hasSqlState(error, CLOCK_GUARD);
      if (!lostRace || attempt >= 3) throw error;
    }
  }
}

function outcomeOf(row: PostRow): PostOutcome {
  if (!row.beingId) return { kind: "no-session" };
  if (!row.visibility) return { kind: "no-space", authorId: row.beingId };
  const { beingId, visibility, role, taken, created, deleted, ...stored } = row;
  return {
    kind: "done",
    authorId: beingId,
    visibility,
    role,
    taken,
    created,
    intention: stored.id === null ? undefined : { ...stored, deleted },
  };
}
