import type { Intention } from "@rhizome/protocol";
import type { Db } from "../db/client.ts";
import { cursorSql, preparedStatement } from "../db/sql.ts";
import type { RateWindow } from "./rate-limits.ts";
import type { Role } from "./spaces.ts";
import {
  accessCte,
  clockCte,
  clockGuard,
  intentionList,
  notifiedCte,
  runWrite,
  SESSION_CTE,
  takenCte,
  UNDER_LIMIT,
  WINDOW_PARAMS,
} from "./write-sql.ts";

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
      /** The space's head before the insert (when it inserted): the change's predecessor. */
      previousHead: string | null;
    };

/** One row, every column null that the statement did not reach. */
type PostRow = {
  beingId: string | null;
  visibility: "public" | "private" | null;
  role: Role | null;
  taken: boolean;
  created: boolean;
  deleted: boolean;
  previousHead: string | null;
} & ({ [K in keyof Intention]: Intention[K] } | { [K in keyof Intention]: null });

/**
 * A post in one statement, one round trip (DESIGN §3, §7; the pieces and their lock order
 * are in write-sql.ts). An id already stored moves no clock and inserts nothing; it still
 * counts as a write, as every attempt of a member does.
 */
export const POST_INTENTION_SQL = `WITH ${SESSION_CTE}, ${accessCte("$5::uuid")}, existing AS (
     SELECT ${intentionList("i")}, i.deleted_at IS NOT NULL AS deleted
     FROM intentions AS i WHERE i.id = $6::uuid
   ), allowed AS (
     SELECT 1 FROM access, session WHERE access.role IS NOT NULL AND ${UNDER_LIMIT}
   ), ${clockCte("$5::uuid", "EXISTS (SELECT 1 FROM allowed) AND NOT EXISTS (SELECT 1 FROM existing)")},
   ${takenCte("EXISTS (SELECT 1 FROM allowed) AND (EXISTS (SELECT 1 FROM clock) OR EXISTS (SELECT 1 FROM existing))")},
   inserted AS (
     INSERT INTO intentions AS n (id, space_id, author_id, content, created_at, updated_at)
     SELECT $6::uuid, clock.id, session.being_id, $7::text, clock.head, clock.head
     FROM clock, session WHERE EXISTS (SELECT 1 FROM taken)
     RETURNING ${intentionList("n")}
   ), ${notifiedCte("inserted")}
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
          CASE WHEN inserted.id IS NOT NULL THEN ${cursorSql("clock.previous")} END AS "previousHead",
          ${clockGuard("inserted")} AS guard
   FROM (SELECT 1) AS one
   LEFT JOIN session ON true
   LEFT JOIN access ON true
   LEFT JOIN inserted ON true
   LEFT JOIN existing ON true
   LEFT JOIN clock ON true`;

/** The values of `$1`, `$2`, ... of the statement, in order. */
export const POST_INTENTION_PARAMS = [...WINDOW_PARAMS, "spaceId", "id", "content"] as const;

const postStatement = preparedStatement<PostRow>(
  "post_intention",
  POST_INTENTION_SQL,
  POST_INTENTION_PARAMS,
);

/** Runs the post's statement (again, if it lost a race: see `runWrite`). */
export async function postIntention(db: Db, input: PostInput): Promise<PostOutcome> {
  const { window, ...post } = input;
  return outcomeOf(await runWrite(postStatement, db, { ...post, ...window }));
}

function outcomeOf(row: PostRow): PostOutcome {
  if (!row.beingId) return { kind: "no-session" };
  if (!row.visibility) return { kind: "no-space", authorId: row.beingId };
  const { beingId, visibility, role, taken, created, deleted, previousHead, ...stored } = row;
  return {
    kind: "done",
    authorId: beingId,
    visibility,
    role,
    taken,
    created,
    intention: stored.id === null ? undefined : { ...stored, deleted },
    previousHead,
  };
}
