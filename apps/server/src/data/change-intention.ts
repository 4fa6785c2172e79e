import type { Intention } from "@rhizome/protocol";
import type { Db } from "../db/client.ts";
import { preparedStatement } from "../db/sql.ts";
import type { RateWindow } from "./rate-limits.ts";
import type { Role } from "./spaces.ts";
import {
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

/** An edit or a delete: the session that asks, the intention, the write limit's window. */
export type ChangeInput = { sessionKey: string; id: string; window: RateWindow };

/** What the statement found (as of its snapshot) and did, for the service to answer from. */
export type ChangeOutcome =
  | { kind: "no-session" }
  | { kind: "no-intention" }
  | {
      kind: "found";
      beingId: string;
      /** The intention before the change, and its space as the asker may see it. */
      current: Intention & { deleted: boolean };
      visibility: "public" | "private";
      role: Role | null;
      /** The write limit counted this change (false: not asked, or the window was full). */
      taken: boolean;
      /** The changed intention (an edit), or the tombstone's id (a delete); null if unchanged. */
      changed: Intention | null;
    };

type ChangeRow = {
  beingId: string | null;
  visibility: "public" | "private" | null;
  role: Role | null;
  taken: boolean;
  deleted: boolean | null;
} & ({ [K in keyof Intention]: Intention[K] } | { [K in keyof Intention]: null }) & {
    changed: Intention | null;
  };

/** The intention `$5` with its space's visibility and the asker's role in it. */
const TARGET_CTE = `target AS (
     SELECT ${intentionList("i")}, i.deleted_at IS NOT NULL AS deleted, s.visibility, m.role
     FROM session
     JOIN intentions AS i ON i.id = $5::uuid
     JOIN spaces AS s ON s.id = i.space_id
     LEFT JOIN space_members AS m ON m.space_id = i.space_id AND m.being_id = session.being_id
   )`;

/** A live intention the asker may read, under the limit as last committed. */
const PERMITTED_BASE = `SELECT target.* FROM target, session
     WHERE NOT target.deleted AND (target.visibility = 'public' OR target.role IS NOT NULL)
       AND ${UNDER_LIMIT}`;

const SELECT_FOUND = `SELECT session.being_id AS "beingId", target.visibility, target.role,
          EXISTS (SELECT 1 FROM taken) AS taken, target.id, target."spaceId", target."authorId",
          target.content, target."createdAt", target."updatedAt", target.deleted`;

const FROM_FOUND = `FROM (SELECT 1) AS one LEFT JOIN session ON true LEFT JOIN target ON true`;

/**
 * An edit in one statement (the pieces and their lock order: write-sql.ts): the author of a
 * live intention in a space they may read. The same content again changes nothing and moves
 * no clock, but counts as a write.
 */
const editStatement = preparedStatement<ChangeRow>(
  "edit_intention",
  `WITH ${SESSION_CTE}, ${TARGET_CTE}, permitted AS (
     ${PERMITTED_BASE} AND target."authorId" = session.being_id
   ), ${clockCte(`(SELECT "spaceId" FROM permitted WHERE content <> $6::text)`, "true")},
   ${takenCte(
     `EXISTS (SELECT 1 FROM permitted)
      AND (EXISTS (SELECT 1 FROM clock) OR (SELECT content FROM permitted) = $6::text)`,
   )},
   edited AS (
     UPDATE intentions AS n SET content = $6::text, updated_at = clock.head FROM clock
     WHERE n.id = $5::uuid AND n.deleted_at IS NULL AND EXISTS (SELECT 1 FROM taken)
     RETURNING ${intentionList("n")}
   ), ${notifiedCte("edited")}
   ${SELECT_FOUND},
          (SELECT row_to_json(edited) FROM edited) AS changed,
          ${clockGuard("edited")} AS guard
   ${FROM_FOUND}`,
  [...WINDOW_PARAMS, "id", "content"],
);

/**
 * A delete in one statement: the author or the space's owner tombstones a live intention
 * (content erased, `deleted_at = updated_at = head`). A tombstone is left as it is, uncounted.
 */
const deleteStatement = preparedStatement<ChangeRow>(
  "delete_intention",
  `WITH ${SESSION_CTE}, ${TARGET_CTE}, permitted AS (
     ${PERMITTED_BASE} AND (target."authorId" = session.being_id OR target.role = 'owner')
   ), ${clockCte(`(SELECT "spaceId" FROM permitted)`, "true")},
   ${takenCte("EXISTS (SELECT 1 FROM clock)")},
   tombstoned AS (
     UPDATE intentions AS n SET content = '', updated_at = clock.head, deleted_at = clock.head
     FROM clock
     WHERE n.id = $5::uuid AND n.deleted_at IS NULL AND EXISTS (SELECT 1 FROM taken)
     RETURNING ${intentionList("n")}
   ), ${notifiedCte("tombstoned")}
   ${SELECT_FOUND},
          (SELECT row_to_json(tombstoned) FROM tombstoned) AS changed,
          ${clockGuard("tombstoned")} AS guard
   ${FROM_FOUND}`,
  [...WINDOW_PARAMS, "id"],
);

export async function editIntention(
  db: Db,
  input: ChangeInput & { content: string },
): Promise<ChangeOutcome> {
  const { window, ...edit } = input;
  return outcomeOf(await runWrite(editStatement, db, { ...edit, ...window }));
}

export async function tombstoneIntention(db: Db, input: ChangeInput): Promise<ChangeOutcome> {
  const { window, ...change } = input;
  return outcomeOf(await runWrite(deleteStatement, db, { ...change, ...window }));
}

function outcomeOf(row: ChangeRow): ChangeOutcome {
  if (!row.beingId) return { kind: "no-session" };
  if (row.id === null || !row.visibility) return { kind: "no-intention" };
  const { beingId, visibility, role, taken, changed, deleted, ...current } = row;
  return {
    kind: "found",
    beingId,
    current: { ...current, deleted: deleted === true },
    visibility,
    role,
    taken,
    changed,
  };
}
