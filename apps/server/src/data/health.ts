import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";

/**
 * How long /api/health waits for the database. A pool that is wedged, or a Postgres that
 * stopped answering without closing its connections, would otherwise hang every health
 * check until the proxy's own timeout, instead of saying `ok: false`.
 */
export const PING_DEADLINE_MS = 1_000;

/** Whether the database answers a trivial query within the deadline: the liveness of /api/health. */
export function ping(db: Db, deadlineMs = PING_DEADLINE_MS): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), deadlineMs);
  });
  const answered = db.execute(sql`SELECT 1`).then(
    () => true,
    () => false,
  );
  return Promise.race([answered, late]).finally(() => clearTimeout(timer));
}
