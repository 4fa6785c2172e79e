import { sql } from "drizzle-orm";
import { ACCESS_CHANGES_CHANNEL, type AccessChange } from "../db/channels.ts";
import type { Db } from "../db/client.ts";

/** Tells every instance (this one included) that some open streams must end. */
export async function publishAccessChange(db: Db, change: AccessChange): Promise<void> {
  await db.execute(sql`SELECT pg_notify(${ACCESS_CHANGES_CHANNEL}, ${JSON.stringify(change)})`);
}
