import { describe, expect, test } from "bun:test";
import { clusterDatabase } from "../testing/cluster-database.ts";
import { holdLocks } from "../testing/hold-locks.ts";
import { waitFor } from "../testing/reader.ts";
import { seedOwnedSpace, UNLIMITED_WINDOW } from "../testing/seed.ts";
import { editIntention, tombstoneIntention } from "./change-intention.ts";
import { postIntention } from "./post-intention.ts";

/**
 * The one-statement writes check in their snapshot, taken before they wait for the space's
 * lock; what changed while they waited (the limit filled, the intention was deleted) must not
 * leave a clock step without a change. Two writers are parked behind a held space lock, so
 * that both check before either commits.
 */
describe("one-statement writes that lose a race while waiting for the space's clock", () => {
  const pg = clusterDatabase();

  /** Runs `writes` while the space's row is locked, once all of them wait for it. */
  async function parked<T>(spaceId: string, writes: () => Promise<T>[]): Promise<T[]> {
    const locks = await holdLocks((held) =>
      pg.truth.sql.begin(async (tx) => {
        await tx`SELECT id FROM spaces WHERE id = ${spaceId} FOR UPDATE`;
        await held();
      }),
    );
    const running = writes();
    await waitFor(
      async () => (await pg.truth.lockWaiters()) >= running.length,
      () => `all ${running.length} writes to wait for the space's clock`,
    );
    await locks.release();
    return Promise.all(running);
  }

  /** Posts with a fresh id each, straight through the data layer. */
  const poster =
    (sessionKey: string, spaceId: string, window: typeof UNLIMITED_WINDOW) => (content: string) =>
      postIntention(pg.database.db, {
        sessionKey,
        spaceId,
        id: crypto.randomUUID(),
        content,
        window,
      });

  test("two posts at the limit's last unit: one lands, one is refused, the clock moves once", async () => {
    const { sessionKey, spaceId } = await seedOwnedSpace(pg.database.db, "last_unit");
    const window = { ...UNLIMITED_WINDOW, keyPrefix: "race:", limit: 1 };
    const post = poster(sessionKey, spaceId, window);
    const outcomes = await parked(spaceId, () => [post("a"), post("b")]);

    const taken = outcomes.map((outcome) => outcome.kind === "done" && outcome.taken);
    expect(taken.sort()).toEqual([false, true]);
    const rows = await pg.truth.live(spaceId);
    expect(rows).toHaveLength(1);
    expect(await pg.truth.head(spaceId)).toBe(rows[0]?.updatedAt as string);
  }, 60_000);

  test("posts parked behind the space's lock each learn the head they started from, not their snapshot's", async () => {
    const { sessionKey, spaceId } = await seedOwnedSpace(pg.database.db, "predecessors");
    const start = await pg.truth.head(spaceId);
    const post = poster(sessionKey, spaceId, UNLIMITED_WINDOW);
    const outcomes = await parked(spaceId, () => ["a", "b", "c", "d"].map((c) => post(c)));

    // Each took its snapshot before any committed: the chain must come from under the lock.
    const links = outcomes
      .map((o) => (o.kind === "done" ? [o.previousHead, o.intention?.updatedAt] : []))
      .sort((x, y) => String(x[1]).localeCompare(String(y[1])));
    const heads = [start, ...links.map((link) => link[1])];
    expect(links.map((link) => link[0])).toEqual(heads.slice(0, -1));
    expect(await pg.truth.head(spaceId)).toBe(heads.at(-1) as string);
  }, 60_000);

  test("an edit parked behind a delete of the same intention: a tombstone, the clock at it", async () => {
    const { sessionKey, spaceId } = await seedOwnedSpace(pg.database.db, "edit_vs_delete");
    const id = crypto.randomUUID();
    const input = { sessionKey, id, window: UNLIMITED_WINDOW };
    await postIntention(pg.database.db, { ...input, spaceId, content: "first" });
    const [deleted, edited] = await parked(spaceId, () => [
      tombstoneIntention(pg.database.db, input),
      editIntention(pg.database.db, { ...input, content: "second" }),
    ]);

    expect(deleted?.kind === "found" && deleted.changed?.id).toBe(id);
    const [tombstone] = await pg.truth.sql<{ updated: string }[]>`
      SELECT to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated
      FROM intentions WHERE id = ${id} AND deleted_at IS NOT NULL`;
    expect(tombstone).toBeDefined();
    // Whichever went first, the edit changed nothing after the tombstone, nor moved the clock.
    if (edited?.kind === "found" && edited.changed === null)
      expect(edited.current.deleted).toBe(true);
    expect(await pg.truth.head(spaceId)).toBe(tombstone?.updated as string);
  }, 60_000);
});
