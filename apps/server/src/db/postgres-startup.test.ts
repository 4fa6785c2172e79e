import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { FakePostgres } from "../testing/fake-postgres.ts";
import { postgresPool } from "./client.ts";

/**
 * A connection that Postgres closes while it starts (a restart: the backend is told to stop
 * before it has answered). postgres.js 3.4.9 retried such a start at once and without end,
 * the query waiting all the while (porsager/postgres#1193), and left the rejection of its
 * type fetch unhandled, which ends a Bun process. patches/ bounds the one and handles the
 * other; these drive the pool the server runs through a fake that closes on cue.
 */
describe("a connection closed while it starts", () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);
  let fake: FakePostgres | undefined;
  let pool: ReturnType<typeof postgresPool> | undefined;

  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", record);
  });
  afterEach(async () => {
    await pool?.end({ timeout: 0 });
    fake?.stop();
    process.off("unhandledRejection", record);
  });

  /** Unhandled rejections are reported after the microtasks of the turn that made them. */
  const turns = async (count: number) => {
    for (let turn = 0; turn < count; turn++) await new Promise((done) => setImmediate(done));
  };

  test("is retried, and the query runs once the server answers", async () => {
    fake = new FakePostgres((connection) => (connection < 3 ? "close-at-startup" : "healthy"));
    pool = postgresPool(fake.url, { max: 1 });
    expect(await pool`select 1`).toHaveLength(0);
    expect(fake.connections).toBe(4);
  });

  test("fails the query once its connect timeout is spent, after a bounded number of tries", async () => {
    fake = new FakePostgres(() => "close-at-startup");
    pool = postgresPool(fake.url, { max: 1, connectTimeoutSeconds: 1 });
    const error = await pool`select 1`.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toMatchObject({ code: "CONNECTION_CLOSED" });
    // Each retry waits its backoff (50 ms doubling, jittered): within 1 s that is a handful.
    expect(fake.connections).toBeGreaterThan(1);
    expect(fake.connections).toBeLessThan(20);
  }, 15_000);

  test("during its type fetch, fails the query and leaves no rejection unhandled", async () => {
    fake = new FakePostgres(() => "close-at-first-query");
    const server = fake;
    // The fetch is the connection's first query: its close comes with the server gone.
    server.onScriptedClose = () => server.stop();
    pool = postgresPool(server.url, { max: 1 });
    const query = pool`select 1`.then(
      () => "resolved",
      (reason: { code?: string }) => reason.code,
    );
    expect(await query).toBe("ECONNREFUSED");
    await turns(3);
    expect(unhandled).toEqual([]);
  });

  test("after a close at its type fetch, starts again and runs the query", async () => {
    fake = new FakePostgres((connection) =>
      connection === 0 ? "close-at-first-query" : "healthy",
    );
    pool = postgresPool(fake.url, { max: 1 });
    expect(await pool`select 1`).toHaveLength(0);
    await turns(3);
    expect(unhandled).toEqual([]);
    expect(fake.connections).toBe(2);
  });
});
