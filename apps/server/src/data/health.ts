import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";

/** Whether the database answers a trivial query: the liveness of /api/health. */
export function ping(db: Db): Promise<boolean> {
  return db.execute(sql`SELECT 1`).then(
    () => true,
    () => false,
  );
}
