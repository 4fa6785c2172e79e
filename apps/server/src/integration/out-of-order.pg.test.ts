import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createScratchDatabase, signupBeing } from "@rhizome/testkit";
import { type Database, openDatabase } from "../db/client.ts";
import type { RunningServer } from "../server.ts";
import { DbTruth } from "../testing/db-truth.ts";
import { holdLocks } from "../testing/hold-locks.ts";
import { RawStream } from "../testing/raw-stream.ts";
import { comparable, Reader, waitFor } from "../testing/reader.ts";
import { beingWithSpace, post, startTestServer } from "../testing/test-server.ts";

/**
 * A write transaction is held open (its author's row is locked, so its INSERT waits inside
 * the transaction) while later writes to the same space are attempted. With a plain
 * `created_at = now()` the later writes would commit first, readers would move past the
 * slow write's timestamp, and it would never be delivered. No cursor handed out while it is
 * held may let a reader skip it.
 */
describe.skipIf(!process.env.DATABASE_URL)("out-of-order commit [postgres]", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let database: Database;
  let server: RunningServer;
  let truth: DbTruth;

  beforeAll(async () => {
    scratch = await createScratchDatabase(process.env.DATABASE_URL as string);
    database = await openDatabase({ databaseUrl: scratch.url, dataDir: "memory://" });
    server = await startTestServer(database, { sync: { batchMs: 20 } });
    truth = new DbTruth(scratch.url);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.close();
    await truth?.close();
    await scratch?.drop();
  });

  test("a held write is never skipped by a cursor handed out meanwhile", async () => {
    const owner = await beingWithSpace(server.url);
    const slow = await signupBeing(server.url);
    const fast = await signupBeing(server.url);
    for (const being of [slow, fast])
      await being.api.api.spaces({ id: owner.space.id }).join.post();
    await post(owner.api, owner.space.id, "before");
    const reader = new Reader(server.url, owner.token, owner.space.id).start();
    await waitFor(
      () => reader.intentions.length === 1,
      () => "the reader's first frame",
    );

    const locks = await holdLocks((held) =>
      truth.sql.begin(async (tx) => {
        await tx`SELECT id FROM beings WHERE id = ${slow.being.id} FOR UPDATE`;
        await held();
      }),
    );
    const slowPost = post(slow.api, owner.space.id, "slow write");
    await waitFor(
      async () => (await truth.lockWaiters()) >= 1,
      () => "the slow write to wait",
    );
    let fastDone = 0;
    const fastPosts = Array.from({ length: 5 }, (_, n) =>
      post(fast.api, owner.space.id, `fast ${n}`).then((intention) => {
        fastDone++;
        return intention;
      }),
    );
    // The fast writes are queued behind the held one (or, in a naive design, already done).
    await waitFor(
      async () => fastDone === 5 || (await truth.lockWaiters()) >= 6,
      () => "the fast writes to queue or finish",
    );
    // Cursors handed out while the slow write is held: a live reader's, and fresh streams'.
    const handedOut: string[] = [];
    for (let n = 0; n < 3; n++) {
      const stream = await RawStream.open(server.url, owner.token, { spaceId: owner.space.id });
      handedOut.push((await stream.event(0)).timestamp);
      stream.close();
      if (reader.cursor) handedOut.push(reader.cursor);
    }
    await locks.release();
    const all = await Promise.all([slowPost, ...fastPosts]);
    const live = await truth.live(owner.space.id);
    expect(live.map((i) => i.content)).toContain("slow write");

    await waitFor(
      () => reader.intentions.length === live.length,
      () => `the live reader to have ${live.length} intentions (has ${reader.intentions.length})`,
    );
    expect(comparable(reader.intentions)).toEqual(live);
    expect(reader.auditChain()).toEqual([]);

    // Every cursor handed out during the hold resumes to a state with the slow write.
    const window = reader.intentions;
    for (const cursor of new Set(handedOut)) {
      const resumed = new Reader(server.url, owner.token, owner.space.id, { cursor });
      resumed.client.mergeHistory(
        window.filter((i) => i.updatedAt <= cursor),
        resumed.client.sync.epoch,
      );
      resumed.start();
      await waitFor(
        () =>
          resumed.cursor === live.at(-1)?.updatedAt || resumed.intentions.length === live.length,
        () => `resume from ${cursor}`,
      );
      await waitFor(
        () => resumed.intentions.some((i) => i.id === all[0]?.id),
        () => `the slow write after resuming from ${cursor}`,
      );
      resumed.stop();
    }
    reader.stop();
  }, 60_000);
});
