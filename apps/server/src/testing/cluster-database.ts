import { afterAll, beforeAll } from "bun:test";
import { PostgresCluster } from "@rhizome/testkit";
import { type Database, openDatabase } from "../db/client.ts";
import { DbTruth } from "./db-truth.ts";

/**
 * A throw-away Postgres cluster for the enclosing `describe`: the app's database over it and a
 * direct connection for its truth (locks held by hand, waiters counted). Read the fields in
 * tests, after `beforeAll` has run.
 */
export function clusterDatabase(): { database: Database; truth: DbTruth } {
  let cluster: PostgresCluster | undefined;
  const opened = {} as { database: Database; truth: DbTruth };
  beforeAll(async () => {
    cluster = await PostgresCluster.start();
    opened.database = await openDatabase({ databaseUrl: cluster.url(), dataDir: "memory://" });
    opened.truth = new DbTruth(cluster.url());
  }, 120_000);
  afterAll(async () => {
    await opened.truth?.close();
    await opened.database?.close().catch(() => {});
    await cluster?.destroy();
  });
  return opened;
}
