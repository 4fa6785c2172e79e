import { describe, expect, test } from "bun:test";
import { clusterDatabase } from "../testing/cluster-database.ts";
import { holdLocks } from "../testing/hold-locks.ts";
import { waitFor } from "../testing/reader.ts";
import { seedOwnedSpace, UNLIMITED_WINDOW } from "../testing/seed.ts";
import { postIntention } from "./post-intention.ts";

/**
 * `postIntention` promises that an id that exists "is reported, never overwritten, and does
 * not move the clock". A retried post racing its first attempt breaks the last part: a client
 * that timed out, or whose connection a proxy cut, while the first attempt waited for the
 * space's row lock, sends the same post again. Both statements evaluate `NOT EXISTS` in their
 * own snapshot before they wait, so the second one, once it holds the lock, still moves the
 * head; had its insert done nothing (`ON CONFLICT DO NOTHING`), it would commit a clock step
 * without a change. The head is left past every change: a safety poll sees `head > lastSent`
 * on every tick and flushes for nothing, and a reader whose cursor is the last change's stamp
 * never reaches the head (the chaos suite would call it diverged).
 */
describe("a post replayed while its first attempt waits for the space's clock", () => {
  const pg = clusterDatabase();

  test("moves the clock once, for the one row it stores", async () => {
    const { sessionKey, spaceId } = await seedOwnedSpace(pg.database.db, "replayer");

    // Another writer of the space holds its clock, so that both attempts start, and check
    // that the id is new, before either gets the lock.
    const locks = await holdLocks((held) =>
      pg.truth.sql.begin(async (tx) => {
        await tx`SELECT id FROM spaces WHERE id = ${spaceId} FOR UPDATE`;
        await held();
      }),
    );
    const post = {
      id: crypto.randomUUID(),
      spaceId,
      sessionKey,
      content: "once",
      window: UNLIMITED_WINDOW,
    };
    const attempts = [postIntention(pg.database.db, post), postIntention(pg.database.db, post)];
    await waitFor(
      async () => (await pg.truth.lockWaiters()) >= 2,
      () => "both attempts to wait for the space's clock",
    );
    await locks.release();
    const outcomes = await Promise.all(attempts);

    // The contract holds for the caller: one row, and the replay is answered with it.
    const created = outcomes.map((outcome) => outcome.kind === "done" && outcome.created);
    expect(created.sort()).toEqual([false, true]);
    for (const outcome of outcomes) {
      expect(outcome.kind === "done" && outcome.intention?.id).toBe(post.id);
    }
    const rows = await pg.truth.live(spaceId);
    expect(rows.map((row) => row.id)).toEqual([post.id]);
    // The clock stands at the one change: a replay must not move it.
    expect(await pg.truth.head(spaceId)).toBe(rows[0]?.updatedAt as string);
  }, 60_000);
});
