import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { rateLimits } from "../db/schema.ts";
import { preparedPerDb } from "../db/sql.ts";

/** A key's fixed window (limits/rate-limiter.ts): the counter is `keyPrefix` + the key. */
export type RateWindow = { keyPrefix: string; windowStart: number; limit: number };

/**
 * Counts one hit in `key`'s window, in one statement; the new count, or undefined when the
 * window was already full (a refused hit writes nothing, so a flood churns no rows).
 */
export async function countHit(
  db: Db,
  hit: { key: string; windowStart: number; limit: number },
): Promise<number | undefined> {
  // Every write runs it: prepared once per database.
  const [row] = await countHitStatement(db).execute(hit);
  return row?.count;
}

const countHitStatement = preparedPerDb((db) =>
  db
    .insert(rateLimits)
    .values({
      key: sql.placeholder("key"),
      windowStart: sql.placeholder("windowStart"),
      count: 1,
    })
    .onConflictDoUpdate({
      target: [rateLimits.key, rateLimits.windowStart],
      set: { count: sql`${rateLimits.count} + 1` },
      setWhere: sql`${rateLimits.count} < ${sql.placeholder("limit")}`,
    })
    .returning({ count: rateLimits.count })
    .prepare("count_rate_hit"),
);

/** Deletes windows that began before `before` (epoch ms); returns how many. */
export async function deleteRateLimitsBefore(db: Db, before: number): Promise<number> {
  const deleted = await db
    .delete(rateLimits)
    .where(sql`${rateLimits.windowStart} < ${before}`)
    .returning({ key: rateLimits.key });
  return deleted.length;
}
