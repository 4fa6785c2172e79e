import { sql } from "drizzle-orm";
import { insertBeing } from "../data/beings.ts";
import { insertSession } from "../data/sessions.ts";
import { insertSpace } from "../data/spaces.ts";
import type { Db } from "../db/client.ts";

/**
 * A being, a session of it and a public space it owns, straight through the data layer
 * (no HTTP, no hashing).
 */
export async function seedOwnedSpace(
  db: Db,
  handle: string,
): Promise<{ authorId: string; spaceId: string; sessionKey: string }> {
  const being = await insertBeing(db, {
    handle,
    name: handle,
    color: "#123456",
    passwordHash: "x",
  });
  if (being === "handle-taken") throw new Error(`the handle ${handle} is taken`);
  const space = await insertSpace(db, { name: handle, visibility: "public", ownerId: being.id });
  const sessionKey = `seeded-${crypto.randomUUID()}`;
  await insertSession(db, { tokenHash: sessionKey, beingId: being.id, ttlSeconds: 3600 });
  return { authorId: being.id, spaceId: space.id, sessionKey };
}

/** A write window no test reaches: for posts straight through the data layer. */
export const UNLIMITED_WINDOW = { keyPrefix: "seeded:", windowStart: 0, limit: 2_000_000_000 };

/**
 * `count` intentions by `authorId` ("<prefix> 1" oldest to "<prefix> <count>"), stamped after
 * the space's head, which moves to the newest, in one statement: big spaces for plan checks.
 */
export async function fillSpace(
  db: Db,
  {
    spaceId,
    authorId,
    count,
    prefix,
  }: { spaceId: string; authorId: string; count: number; prefix: string },
): Promise<void> {
  await db.execute(sql`
    WITH stamped AS (
      UPDATE spaces SET head = head + make_interval(secs => ${count} / 1000000.0)
      WHERE id = ${spaceId} RETURNING head
    )
    INSERT INTO intentions (id, space_id, author_id, content, created_at, updated_at)
    SELECT gen_random_uuid(), ${spaceId}, ${authorId}, ${prefix} || ' ' || n,
      stamped.head - make_interval(secs => (${count} - n) / 1000000.0),
      stamped.head - make_interval(secs => (${count} - n) / 1000000.0)
    FROM stamped, generate_series(1, ${count}) AS n`);
}
