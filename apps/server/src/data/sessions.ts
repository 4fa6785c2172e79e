import type { Being } from "@rhizome/protocol";
import { and, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { beings, sessions } from "../db/schema.ts";
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

/** The being of a live (unexpired) session. */
export async function findSessionBeing(db: Db, tokenHash: string): Promise<Being | undefined> {
  const [row] = await db
    .select(beingColumns)
    .from(sessions)
    .innerJoin(beings, eq(beings.id, sessions.beingId))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, sql`now()`)));
  return row;
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
