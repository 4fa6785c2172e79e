import type { Intention } from "@rhizome/protocol";
import { and, desc, eq, isNull, lt, sql } from "drizzle-orm";
import { SPACE_CHANGES_CHANNEL } from "../db/channels.ts";
import type { Db } from "../db/client.ts";
import { intentions, spaces } from "../db/schema.ts";
import { asTimestamp, cursorOf, cursorSql, isUniqueViolation, rowsOf } from "../db/sql.ts";
import { type IntentionRow, intentionFromRow } from "./intention-row.ts";

export const intentionColumns = {
  id: intentions.id,
  spaceId: intentions.spaceId,
  authorId: intentions.authorId,
  content: intentions.content,
  createdAt: cursorOf(intentions.createdAt),
  updatedAt: cursorOf(intentions.updatedAt),
};

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** What a mutation decided: `commit` its change, or `rollback` (the clock bump with it). */
type Decision<R> = { commit: R } | { rollback: R };

class RolledBack<R> extends Error {
  constructor(readonly value: R) {
    super("rolled back");
  }
}

/**
 * Runs one mutation of a space under its commit clock (DESIGN §3), in one transaction:
 * clock, change, notify, commit. The row lock on the space serialises its writers, so
 * changes commit in `head` order, each with its own strictly increasing stamp.
 */
async function underSpaceClock<R>(
  db: Db,
  spaceId: string,
  change: (tx: Tx, head: string) => Promise<Decision<R>>,
): Promise<R | "no-space"> {
  try {
    return await db.transaction(async (tx) => {
      const [clock] = await tx
        .update(spaces)
        .set({ head: sql`GREATEST(clock_timestamp(), ${spaces.head} + interval '1 microsecond')` })
        .where(eq(spaces.id, spaceId))
        .returning({ head: cursorOf(spaces.head) });
      if (!clock) throw new RolledBack("no-space" as const);
      const decision = await change(tx, clock.head);
      if ("rollback" in decision) throw new RolledBack(decision.rollback);
      await tx.execute(sql`SELECT pg_notify(${SPACE_CHANGES_CHANNEL}, ${spaceId})`);
      return decision.commit;
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.value as R | "no-space";
    throw error;
  }
}

export type InsertOutcome =
  | { kind: "created"; intention: Intention }
  | { kind: "exists"; intention: Intention & { deleted: boolean } }
  | { kind: "no-space" };

/** The inserted intention, or a row of nulls when nothing was inserted. */
type InsertedRow = Omit<IntentionRow, "id"> & { id: string | null };

/**
 * Posts an intention in one statement, the hot path: clock (the space's row lock), insert,
 * notify, commit, in one round trip instead of a transaction's five. An id that exists is
 * reported, never overwritten, and does not move the clock.
 *
 * `NOT EXISTS` is judged in the statement's snapshot, taken before it waits for the space's
 * lock; a replay racing its first attempt passes it and must not commit a clock step with no
 * change. So the insert has no `ON CONFLICT`: its unique violation aborts the whole statement,
 * the clock bump with it, and the replay is answered like any other.
 */
export async function insertIntention(
  db: Db,
  input: { id: string; spaceId: string; authorId: string; content: string },
): Promise<InsertOutcome> {
  const rows = await rowsOf<InsertedRow>(
    db,
    sql`WITH clock AS (
          UPDATE spaces SET head = GREATEST(clock_timestamp(), head + interval '1 microsecond')
          WHERE id = ${input.spaceId}::uuid
            AND NOT EXISTS (SELECT 1 FROM intentions WHERE id = ${input.id}::uuid)
          RETURNING head
        ), inserted AS (
          INSERT INTO intentions (id, space_id, author_id, content, created_at, updated_at)
          SELECT ${input.id}::uuid, ${input.spaceId}::uuid, ${input.authorId}::uuid,
                 ${input.content}::text, head, head
          FROM clock
          RETURNING *
        ), notified AS (
          SELECT pg_notify(${SPACE_CHANGES_CHANNEL}::text, ${input.spaceId}::text) FROM inserted
        )
        SELECT i.id, i.space_id, i.author_id, i.content,
               ${sql.raw(cursorSql("i.created_at"))} AS created_at,
               ${sql.raw(cursorSql("i.updated_at"))} AS updated_at,
               (SELECT count(*) FROM notified) AS notified
        FROM (SELECT 1) AS one LEFT JOIN inserted AS i ON true`,
  ).catch((error: unknown) => {
    if (isUniqueViolation(error)) return [];
    throw error;
  });
  const [row] = rows;
  if (row?.id) return { kind: "created", intention: intentionFromRow(row as IntentionRow) };
  // Nothing inserted: the id exists (in this space or another), or the space does not.
  const existing = await findWithTombstone(db, input.id);
  return existing ? { kind: "exists", intention: existing } : { kind: "no-space" };
}

export type EditOutcome = { kind: "edited" | "same"; intention: Intention } | { kind: "gone" };

export async function editIntention(
  db: Db,
  input: { id: string; spaceId: string; content: string },
): Promise<EditOutcome> {
  const result = await underSpaceClock<EditOutcome>(db, input.spaceId, async (tx, head) => {
    const current = await findWithTombstone(tx, input.id);
    if (!current || current.deleted || current.spaceId !== input.spaceId) {
      return { rollback: { kind: "gone" } };
    }
    const { deleted: _, ...intention } = current;
    if (current.content === input.content) return { rollback: { kind: "same", intention } };
    const [row] = await tx
      .update(intentions)
      .set({ content: input.content, updatedAt: head })
      .where(eq(intentions.id, input.id))
      .returning(intentionColumns);
    return { commit: { kind: "edited", intention: row as Intention } };
  });
  return result === "no-space" ? { kind: "gone" } : result;
}

/** Tombstones an intention: content erased, `deleted_at = updated_at = head`. */
export async function tombstoneIntention(
  db: Db,
  input: { id: string; spaceId: string },
): Promise<"deleted" | "already-gone"> {
  const result = await underSpaceClock<"deleted" | "already-gone">(
    db,
    input.spaceId,
    async (tx, head) => {
      const done = await tx
        .update(intentions)
        .set({ content: "", updatedAt: head, deletedAt: head })
        .where(
          and(
            eq(intentions.id, input.id),
            eq(intentions.spaceId, input.spaceId),
            isNull(intentions.deletedAt),
          ),
        )
        .returning({ id: intentions.id });
      return done.length > 0 ? { commit: "deleted" } : { rollback: "already-gone" };
    },
  );
  return result === "no-space" ? "already-gone" : result;
}

export async function findWithTombstone(
  db: Db | Tx,
  id: string,
): Promise<(Intention & { deleted: boolean }) | undefined> {
  const [row] = await db
    .select({ ...intentionColumns, deleted: sql<boolean>`${intentions.deletedAt} IS NOT NULL` })
    .from(intentions)
    .where(eq(intentions.id, id));
  return row;
}

/** Live intentions created before `before` (default: the latest), newest first in SQL, returned oldest first. */
export async function readHistoryPage(
  db: Db,
  input: { spaceId: string; before: string | undefined; limit: number },
): Promise<{ intentions: Intention[]; hasMore: boolean }> {
  const rows = await db
    .select(intentionColumns)
    .from(intentions)
    .where(
      and(
        eq(intentions.spaceId, input.spaceId),
        isNull(intentions.deletedAt),
        input.before ? lt(intentions.createdAt, asTimestamp(input.before) as never) : undefined,
      ),
    )
    .orderBy(desc(intentions.createdAt))
    .limit(input.limit + 1);
  const hasMore = rows.length > input.limit;
  return { intentions: rows.slice(0, input.limit).reverse(), hasMore };
}
