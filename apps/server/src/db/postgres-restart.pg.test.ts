import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PostgresCluster } from "@rhizome/testkit";
import { postIntention } from "../data/post-intention.ts";
import { seedOwnedSpace, UNLIMITED_WINDOW } from "../testing/seed.ts";
import { type Database, openDatabase } from "./client.ts";

/**
 * postgres.js 3.4.9 could throw from a setImmediate write after its socket closed, killing
 * the process on a Postgres restart (porsager/postgres#1066, #1208). patches/ guards it; this
 * test writes through a restart and would die with the process without the patch.
 */
describe("a Postgres restart under write load", () => {
  let cluster: PostgresCluster;
  let database: Database;

  beforeAll(async () => {
    cluster = await PostgresCluster.start();
    database = await openDatabase({ databaseUrl: cluster.url(), dataDir: "memory://" });
  }, 120_000);
  afterAll(async () => {
    await database?.close().catch(() => {});
    await cluster?.destroy();
  });

  test("writes fail while it is down, the process survives, and writes resume", async () => {
    const { sessionKey, spaceId } = await seedOwnedSpace(database.db, "restarter");
    let writing = true;
    let failures = 0;
    let written = 0;
    const big = "x".repeat(4000);
    const writers = Array.from({ length: 8 }, async () => {
      while (writing) {
        await postIntention(database.db, {
          id: crypto.randomUUID(),
          spaceId,
          sessionKey,
          content: big,
          window: UNLIMITED_WINDOW,
        }).then(
          () => written++,
          () => failures++,
        );
      }
    });
    // Restart under load: once every writer has had writes go through.
    for (let wait = 0; written < 32; wait++) {
      if (wait > 6000) throw new Error(`only ${written} writes before the restart`);
      await Bun.sleep(10);
    }
    await cluster.restart("fast");
    // After the restart, writes succeed again (stale pooled connections fail first).
    let resumed = false;
    for (let attempt = 0; attempt < 50 && !resumed; attempt++) {
      resumed = await postIntention(database.db, {
        id: crypto.randomUUID(),
        spaceId,
        sessionKey,
        content: "after the restart",
        window: UNLIMITED_WINDOW,
      }).then(
        () => true,
        () => false,
      );
    }
    writing = false;
    await Promise.all(writers);
    expect(resumed).toBe(true);
    expect(failures).toBeGreaterThan(0);
  }, 120_000);
});
