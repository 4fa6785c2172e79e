import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { FaultProxy, type ServerProcess, terminateListeners } from "@rhizome/testkit";
import { PgFixture } from "../testing/pg-fixture.ts";
import { comparable, Reader, waitFor } from "../testing/reader.ts";
import { beingWithSpace, post } from "../testing/test-server.ts";

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(text.match(new RegExp(`^${name} (\\d+)`, "m"))?.[1] ?? Number.NaN);
}

describe.skipIf(!process.env.DATABASE_URL)("fan-out across instances [postgres]", () => {
  const pg = new PgFixture();
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    await pg.open();
    // A long safety poll: what these tests see comes from notifications and reconnects.
    const env = { SYNC_BATCH_MS: "20", SYNC_SAFETY_POLL_MS: "3600000" };
    [a, b] = await Promise.all([pg.server(env), pg.server(env)]);
  }, 120_000);
  afterAll(() => pg.close());

  test("subscribe on instance A, write through instance B: the change arrives", async () => {
    const owner = await beingWithSpace(b.url);
    const reader = new Reader(a.url, owner.token, owner.space.id).start();
    await waitFor(
      () => reader.client.connection.status === "live",
      () => "reader live on A",
    );
    const written = await post(owner.api, owner.space.id, "from B");
    await waitFor(
      () => reader.intentions.some((i) => i.id === written.id),
      () => "the write from B on A",
    );
    expect(reader.auditChain()).toEqual([]);
    reader.stop();
  });

  test("after the LISTEN connection is killed and comes back, nothing written meanwhile is lost", async () => {
    const owner = await beingWithSpace(b.url);
    const reader = new Reader(a.url, owner.token, owner.space.id).start();
    await waitFor(
      () => reader.client.connection.status === "live",
      () => "reader live on A",
    );
    const reconnectsBefore = await metric(a.url, "rhizome_listener_reconnects_total");
    expect(await terminateListeners(pg.url)).toBeGreaterThan(0);
    // Written while A's listener is down or reconnecting: their notifications are lost.
    for (let n = 0; n < 5; n++) await post(owner.api, owner.space.id, `while down ${n}`);
    const live = await pg.truth.live(owner.space.id);
    await waitFor(
      () => reader.intentions.length === live.length,
      () => `all ${live.length} writes on A (has ${reader.intentions.length})`,
    );
    expect(comparable(reader.intentions)).toEqual(live);
    expect(reader.auditChain()).toEqual([]);
    await waitFor(
      async () => (await metric(a.url, "rhizome_listener_reconnects_total")) > reconnectsBefore,
      () => "A's listener to report its reconnect",
    );
    reader.stop();
  });
});

describe.skipIf(!process.env.DATABASE_URL)("the listener's reconnect [postgres]", () => {
  const pg = new PgFixture();
  let proxy: FaultProxy;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    await pg.open();
    const direct = new URL(pg.url);
    // Instance A reaches Postgres only through a proxy we can cut and hold down.
    proxy = new FaultProxy([{ host: direct.hostname, port: Number(direct.port || 5432) }]).start();
    const viaProxy = new URL(pg.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const env = { SYNC_BATCH_MS: "20", SYNC_SAFETY_POLL_MS: "3600000" };
    a = await pg.server({ ...env, DATABASE_URL: viaProxy.toString() });
    b = await pg.server(env);
  }, 120_000);
  afterAll(async () => {
    await pg.close();
    proxy?.stop();
  });

  test("writes made while the listener is down are flushed once it is listening again", async () => {
    const owner = await beingWithSpace(b.url);
    const reader = new Reader(a.url, owner.token, owner.space.id).start();
    await waitFor(
      () => reader.client.connection.status === "live",
      () => "reader live on A",
    );
    proxy.blocked = true;
    proxy.cutAll();
    for (let n = 0; n < 5; n++) await post(owner.api, owner.space.id, `while A is deaf ${n}`);
    proxy.blocked = false;
    const live = await pg.truth.live(owner.space.id);
    await waitFor(
      () => reader.intentions.length === live.length,
      () =>
        `all ${live.length} writes on A after its listener is back (has ${reader.intentions.length})`,
    );
    expect(comparable(reader.intentions)).toEqual(live);
    expect(reader.auditChain()).toEqual([]);
    reader.stop();
  }, 60_000);
});

describe.skipIf(!process.env.DATABASE_URL)("the safety poll [postgres]", () => {
  const pg = new PgFixture();
  let server: ServerProcess;

  beforeAll(async () => {
    await pg.open();
    server = await pg.server({ SYNC_BATCH_MS: "20", SYNC_SAFETY_POLL_MS: "200" });
  }, 120_000);
  afterAll(() => pg.close());

  test("a change whose notification never came is found by polling the heads", async () => {
    const owner = await beingWithSpace(server.url);
    const reader = new Reader(server.url, owner.token, owner.space.id).start();
    await waitFor(
      () => reader.client.connection.status === "live",
      () => "reader live",
    );
    // A write that follows the clock rule but sends no notification at all.
    const id = crypto.randomUUID();
    await pg.truth.sql.begin(async (tx) => {
      const [clock] = await tx`
        UPDATE spaces SET head = GREATEST(clock_timestamp(), head + interval '1 microsecond')
        WHERE id = ${owner.space.id} RETURNING head`;
      await tx`
        INSERT INTO intentions (id, space_id, author_id, content, created_at, updated_at)
        VALUES (${id}, ${owner.space.id}, ${owner.being.id}, 'silent', ${clock?.head}, ${clock?.head})`;
    });
    await waitFor(
      () => reader.intentions.some((i) => i.id === id),
      () => "the silent write",
    );
    expect(reader.auditChain()).toEqual([]);
    reader.stop();
  });
});
