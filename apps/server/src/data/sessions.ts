import type { Being } from "@rhizome/protocol";
import { and, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { beings, sessions } from "../db/schema.ts";
import { preparedPerDb } from "../db/sql.ts";
import { beingColumns } from "./beings.ts";

export async function insertSession(
  db: Db,
  session: { tokenHash: string; beingId: string; ttlSeconds: number },
): Promise<void> {
  await db.insert(sessions).values({
    tokenHash: session.tokenHash,
    beingId: session.beingId,
    expiresAt: sql`now() + make_interval(secs => ${session.ttlSeconds})` as unknown as string,
  });
}

/** A live session: its being, and when it expires (epoch milliseconds), so no cache outlives it. */
export type LiveSession = { being: Being; expiresAt: number };

const findLiveSessionStatement = preparedPerDb((db) =>
  db
    .select({
      ...beingColumns,
      expiresAt: sql<number>`(extract(epoch from ${sessions.expiresAt}) * 1000)::float8`,
    })
    .from(sessions)
    .innerJoin(beings, eq(beings.id, sessions.beingId))
    .where(
      and(eq(sessions.tokenHash, sql.placeholder("tokenHash")), gt(sessions.expiresAt, sql`now()`)),
    )
    .prepare("find_live_session"),
);

/** The being of a live (unexpired) session, and the session's expiry. */
export async function findLiveSession(db: Db, tokenHash: string): Promise<LiveSession | undefined> {
  // Every API request runs it: prepared once per database.
  const [row] = await findLiveSessionStatement(db).execute({ tokenHash });
  if (!row) return undefined;
  const { expiresAt, ...being } = row;
  return { being, expiresAt: Number(expiresAt) };
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
}

/** Deletes sessions past their expiry; returns how many. */
export async function deleteExpiredSessions(db: Db): Promise<number> {
  const deleted = await db
    .delete(sessions)
    .where(sql`${sessions.expiresAt} <= now()`)
    .returning({ key: sessions.tokenHash });
  return deleted.length;
}

/** Which of these session keys are still live (not revoked, not expired). */
export async function liveSessionKeys(db: Db, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .select({ key: sessions.tokenHash })
    .from(sessions)
    .where(and(inArray(sessions.tokenHash, keys), gt(sessions.expiresAt, sql`now()`)));
  return new Set(rows.map((row) => row.key));
}
