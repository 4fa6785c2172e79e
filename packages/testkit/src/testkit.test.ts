import { afterAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { signupBeing } from "./api.ts";
import { FaultProxy } from "./fault-proxy.ts";
import { PostgresCluster } from "./pg-cluster.ts";
import { ServerProcess } from "./server-process.ts";

describe("testkit", () => {
  const cleanups: (() => unknown)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  test("a throw-away Postgres cluster survives a fast restart", async () => {
    const cluster = await PostgresCluster.start();
    cleanups.push(() => cluster.destroy());
    const sql = postgres(cluster.url(), { max: 1, onnotice: () => {} });
    expect((await sql`select 1 as one`)[0]?.one).toBe(1);
    await cluster.restart("fast");
    // Pooled connections died with the server: queries fail until one is opened afresh.
    let answer: unknown;
    for (let attempt = 0; attempt < 10 && answer === undefined; attempt++) {
      answer = await sql`select 2 as two`.then((rows) => rows[0]?.two).catch(() => undefined);
    }
    expect(answer).toBe(2);
    await sql.end();
  }, 120_000);

  test("a server process behind the fault proxy: requests pass, cutAll ends streams", async () => {
    const server = await ServerProcess.start({ env: { DATA_DIR: "memory://", DATABASE_URL: "" } });
    cleanups.push(() => server.kill());
    const proxy = new FaultProxy([{ host: "127.0.0.1", port: server.port }]).start();
    cleanups.push(() => proxy.stop());
    const { api, token } = await signupBeing(proxy.url);
    const { data } = await api.api.spaces.post({ name: "proxied" });
    const spaceId = data?.space.id as string;
    const response = await fetch(`${proxy.url}/api/stream?spaceId=${spaceId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("event: space-delta");
    expect(proxy.cutAll()).toBeGreaterThan(0);
    // A cut is a reset, not a clean end: the reader fails instead of hanging or finishing.
    const ended = await (async () => {
      while (!(await reader.read()).done) {}
      return "done";
    })().catch((error: unknown) => `error: ${error}`);
    expect(ended).toStartWith("error");
    proxy.blocked = true;
    await expect(fetch(`${proxy.url}/api/health`)).rejects.toBeDefined();
  }, 120_000);
});
