import type { Intention } from "@rhizome/protocol";
import { and, desc, eq, isNull, lt, type SQL, sql } from "drizzle-orm";
import { SPACE_CHANGES_CHANNEL } from "../db/channels.ts";
import type { Db } from "../db/client.ts";
import { intentions } from "../db/schema.ts";
import { asTimestamp, cursorSql, rowsOf } from "../db/sql.ts";
import { intentionColumns } from "./intention-columns.ts";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** What a mutation decided: `commit` its change, or `rollback` (the clock bump with it). */
type Decision<R> = { commit: R } | { rollback: R };

class RolledBack<R> extends Error {
  constructor(readonly value: R) {
    super("rolled back");
  }
}

/**
 * One step of a space's commit clock (DESIGN §3), returning the new `head`, or no row when
 * the space does not exist or `onlyIf` is false. Its row lock serialises the space's writers
 * and each step is strictly after the last, so changes commit in `head` order.
 */
function clockStep(spaceId: string, onlyIf: SQL = sql`true`): SQL {
  return sql`UPDATE spaces SET head = GREATEST(clock_timestamp(), head + interval '1 microsecond')
             WHERE id = ${spaceId}::uuid AND ${onlyIf}
             RETURNING head`;
}

/** The wake-up of every instance's listeners once the change commits: never the data. */
function notifyChange(spaceId: string): SQL {
  return sql`pg_notify(${SPACE_CHANGES_CHANNEL}::text, ${spaceId}::text)`;
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
      const [clock] = await rowsOf<{ head: string }>(
        tx,
        sql`WITH clock AS (${clockStep(spaceId)})
            SELECT ${sql.raw(cursorSql("head"))} AS head FROM clock`,
      );
      if (!clock) throw new RolledBack("no-space" as const);
      const decision = await change(tx, clock.head);
      if ("rollback" in decision) throw new RolledBack(decision.rollback);
      await tx.execute(sql`SELECT ${notifyChange(spaceId)}`);
      return decision.commit;
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.value as R | "no-space";
    throw error;
  }
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
