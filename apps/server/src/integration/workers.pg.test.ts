import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import type { ServerProcess } from "@rhizome/testkit";
import { PgFixture } from "../testing/pg-fixture.ts";
import { comparable, Reader, waitFor } from "../testing/reader.ts";
import { beingWithSpace, post } from "../testing/test-server.ts";

function childrenOf(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  return existsSync(file)
    ? readFileSync(file, "utf8").trim().split(/\s+/).filter(Boolean).map(Number)
    : [];
}

/** Sockets listening on `port` (one per process sharing it through SO_REUSEPORT). */
function listenersOn(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  let count = 0;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      // State 0A is LISTEN; the local address ends in the port, in hex.
      if (state === "0A" && local?.endsWith(`:${hexPort}`)) count++;
    }
  }
  return count;
}

/** One metric of the instance as one GET /metrics answers it (each GET a new connection). */
async function scraped(url: string, metric: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { keepalive: false })).text();
  const line = text.split("\n").find((row) => row.startsWith(`${metric} `));
  return Number(line?.split(" ")[1]);
}

describe.skipIf(!process.env.DATABASE_URL)(
  "SERVER_WORKERS: processes sharing one port [postgres]",
  () => {
    const pg = new PgFixture();
    let server: ServerProcess;

    beforeAll(async () => {
      await pg.open();
      server = await pg.server({ SERVER_WORKERS: "3", SYNC_BATCH_MS: "20" });
    }, 120_000);
    afterAll(() => pg.close());

    test("health is ready only once every process listens", async () => {
      const port = Number(new URL(server.url).port);
      let ready = false;
      await waitFor(
        async () => {
          const health = (await (await fetch(`${server.url}/api/health`)).json()) as {
            ready: boolean;
          };
          // Read right after the answer: whoever answered ready, all three must listen.
          if (health.ready) expect(listenersOn(port)).toBe(3);
          ready = health.ready;
          return ready;
        },
        () => "health to say ready",
      );
      expect(ready).toBe(true);
    });

    test("streams and writes spread over the workers still converge", async () => {
      expect(childrenOf(server.pid as number)).toHaveLength(2);
      const owner = await beingWithSpace(server.url);
      // Each reader and write is a new connection: the kernel spreads them over the workers.
      // Twelve, so that all on one process (which would send each post unread once only, and
      // fail the last check) is a chance of 3 in 3^12, where six made it 1 in 243.
      const readers = Array.from({ length: 12 }, () =>
        new Reader(server.url, owner.token, owner.space.id).start(),
      );
      await waitFor(
        () => readers.every((reader) => reader.client.connection.status === "live"),
        // Under load a worker can still be starting: say where each reader is stuck.
        () =>
          `readers live: ${readers.map((reader) => JSON.stringify(reader.client.connection)).join(", ")}`,
        60_000,
      );
      // A scrape reaches one worker, and answers for all of them, every time.
      for (let scrape = 0; scrape < 6; scrape++) {
        expect(await scraped(server.url, "rhizome_open_streams")).toBe(readers.length);
      }
      const posts = 20;
      for (let n = 0; n < posts; n++) await post(owner.api, owner.space.id, `spread ${n}`);
      const live = await pg.truth.live(owner.space.id);
      for (const reader of readers) {
        await waitFor(
          () => reader.intentions.length === live.length,
          () => "every reader to have every write",
        );
        expect(comparable(reader.intentions)).toEqual(live);
        expect(reader.auditChain()).toEqual([]);
        reader.stop();
      }
      // Only the writing process sends its post unread, unless it tells the others
      // (sync/siblings.ts): then a process with readers sends the posts of its primary, or
      // of its workers if it is the primary, unread too.
      expect(await scraped(server.url, "rhizome_local_sends_total")).toBeGreaterThan(posts);
    });

    test("SIGTERM to the first process ends them all", async () => {
      const workers = childrenOf(server.pid as number);
      expect(await server.kill("SIGTERM")).toBe(0);
      await waitFor(
        () => workers.every((pid) => !existsSync(`/proc/${pid}`)),
        () => "the workers to exit",
      );
    });
  },
);
