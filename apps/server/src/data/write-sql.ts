import { SPACE_CHANGES_CHANNEL } from "../db/channels.ts";
import type { Db } from "../db/client.ts";
import { cursorSql, hasSqlState, isUniqueViolation, type PreparedStatement } from "../db/sql.ts";

/**
 * Pieces of the one-statement writes (a post, an edit, a delete: one round trip each). Each
 * statement checks the session, the membership and the write limit in its own snapshot, so a
 * revocation committed before the request is seen by it, then steps the space's clock
 * (DESIGN §3), takes its unit of the limit, changes the row and notifies.
 *
 * Locks are taken space row first, then the limit's row, in every writer, so they never
 * deadlock, and the limit's row (hot for one busy being) is held only from its upsert to the
 * commit. The limit is pre-checked on the snapshot, so a flood over it takes no lock at all.
 *
 * Every statement numbers its first parameters alike: `WINDOW_PARAMS`, then its own.
 */
export const WINDOW_PARAMS = ["sessionKey", "keyPrefix", "windowStart", "limit"] as const;

/** The being of a live session (`$1` is the token's hash), or no row. */
export const SESSION_CTE = `session AS (
     SELECT being_id FROM sessions WHERE token_hash = $1::text AND expires_at > now()
   )`;

/**
 * The caller's access to the space `spaceId`: its id and visibility, the caller's role (null:
 * not a member) and `extra` columns; no row without a live session or without the space.
 */
export function accessCte(spaceId: string, extra = ""): string {
  return `access AS (
     SELECT s.id, s.visibility, m.role${extra}
     FROM session
     JOIN spaces AS s ON s.id = ${spaceId}
     LEFT JOIN space_members AS m ON m.space_id = s.id AND m.being_id = session.being_id
   )`;
}

/** The limit's counter, as last committed, is below the limit: the pre-check (no lock). */
export const UNDER_LIMIT = `coalesce((SELECT count FROM rate_limits
     WHERE key = $2::text || session.being_id::text AND window_start = $3::bigint), 0) < $4::int`;

/**
 * One step of the space's clock when `gate` holds: its row lock serialises the space's
 * writers. `clock.previous` is the head the step started from, read under the lock (FOR
 * UPDATE reads the latest committed row, not the snapshot's): no other change of the space
 * lies between it and `clock.head`, so this instance may send the change without a read.
 */
export function clockCte(spaceId: string, gate: string): string {
  return `locked AS (
     SELECT id, head FROM spaces WHERE id = ${spaceId} AND ${gate} FOR UPDATE
   ), clock AS (
     UPDATE spaces SET head = GREATEST(clock_timestamp(), spaces.head + interval '1 microsecond')
     FROM locked WHERE spaces.id = locked.id
     RETURNING spaces.id, spaces.head, locked.head AS previous
   )`;
}

/** Takes one unit of the being's window when `gate` holds (a full window writes nothing). */
export function takenCte(gate: string): string {
  return `taken AS (
     INSERT INTO rate_limits (key, window_start, count)
     SELECT $2::text || session.being_id::text, $3::bigint, 1 FROM session WHERE ${gate}
     ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
       WHERE rate_limits.count < $4::int
     RETURNING count
   )`;
}

/** The wake-up of every instance's listeners for the change in `changed`: never the data. */
export function notifiedCte(changed: string): string {
  return `notified AS (
     SELECT pg_notify('${SPACE_CHANGES_CHANNEL}', clock.id::text) FROM ${changed}, clock
   )`;
}

/**
 * A column that guards the clock: a step with no change (the window filled, or the row
 * changed, between the snapshot and the locks) divides by zero, aborting the statement and
 * the step with it. It also makes the notification run.
 */
export function clockGuard(changed: string): string {
  return `(SELECT count(*) FROM notified) +
     CASE WHEN EXISTS (SELECT 1 FROM clock)
          THEN 1 / (SELECT count(*)::int FROM ${changed}) ELSE 0 END`;
}

/** An intention's columns under `alias`, cursors formatted by Postgres (as intentionColumns). */
export function intentionList(alias: string): string {
  return `${alias}.id, ${alias}.space_id AS "spaceId", ${alias}.author_id AS "authorId",
     ${alias}.content, ${cursorSql(`${alias}.created_at`)} AS "createdAt",
     ${cursorSql(`${alias}.updated_at`)} AS "updatedAt"`;
}

/** Postgres' division_by_zero: the clock guard. */
const CLOCK_GUARD = "22012";

/**
 * Runs a one-statement write. A race it lost (the same id committed meanwhile, the window
 * filled, the row changed while it waited for the space's lock) aborts it whole; it then runs
 * again in a new snapshot, which sees what won, and answers like any replay or refusal.
 */
export async function runWrite<Row>(
  statement: PreparedStatement<Row>,
  db: Db,
  values: Record<string, unknown>,
): Promise<Row> {
  for (let attempt = 1; ; attempt++) {
    try {
      const [row] = await statement(db, values);
      return row as Row;
    } catch (error) {
      const lostRace = isUniqueViolation(error) || hasSqlState(error, CLOCK_GUARD);
      if (!lostRace || attempt >= 3) throw error;
    }
  }
}
