import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import type { ServerProcess } from "@rhizome/testkit";
import { PgFixture } from "../testing/pg-fixture.ts";
import { comparable, Reader, waitFor } from "../testing/reader.ts";
import { beingWithSpace, post } from "../testing/test-server.ts";

const LIMIT = 65_536;

async function cutoffs(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(text.match(/^rhizome_slow_consumer_cutoffs_total (\d+)/m)?.[1]);
}

const ESTABLISHED = "01";

/** The TCP state (as /proc/net/tcp writes it) of the server's end of a loopback connection. */
function serverSideState(serverPort: number, clientPort: number): string | undefined {
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, "0");
  const line = readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .map((row) => row.trim().split(/\s+/))
    .find(
      (cols) =>
        cols[1]?.endsWith(`:${hex(serverPort)}`) && cols[2]?.endsWith(`:${hex(clientPort)}`),
    );
  return line?.[3];
}

/** Opens the stream on a raw socket and never reads from it: the kernel buffers fill up. */
function stalledStream(port: number, token: string, spaceId: string): Socket {
  const socket = connect({ host: "127.0.0.1", port });
  socket.on("error", () => {});
  socket.write(
    `GET /api/stream?spaceId=${spaceId} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`,
  );
  socket.pause();
  return socket;
}

describe.skipIf(!process.env.DATABASE_URL)("a slow consumer [postgres]", () => {
  const pg = new PgFixture();
  let server: ServerProcess;

  beforeAll(async () => {
    await pg.open();
    server = await pg.server({ SYNC_BATCH_MS: "10", SYNC_MAX_BUFFER_BYTES: String(LIMIT) });
  }, 120_000);
  afterAll(() => pg.close());

  test("is cut off once over the limit; others get everything; memory stays bounded", async () => {
    const owner = await beingWithSpace(server.url);
    const reader = new Reader(server.url, owner.token, owner.space.id).start();
    await waitFor(
      () => reader.client.connection.status === "live",
      () => "reader live",
    );
    const stalled = stalledStream(server.port, owner.token, owner.space.id);
    const rssBefore = server.rssBytes() ?? 0;
    let rssMax = rssBefore;
    const big = "x".repeat(3900);
    let posted = 0;
    // Keep writing until the server gives up on the stalled stream (kernel buffers hold MBs).
    while ((await cutoffs(server.url)) === 0) {
      if (posted > 6000) throw new Error("the stalled stream was never cut off");
      await Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          post(owner.api, owner.space.id, `${posted + n} ${big}`),
        ),
      );
      posted += 20;
      rssMax = Math.max(rssMax, server.rssBytes() ?? 0);
    }
    expect(await cutoffs(server.url)).toBe(1);
    const head = await pg.truth.head(owner.space.id);
    await waitFor(
      () => reader.cursor === head,
      () => "the healthy reader to reach the head",
      60_000,
    );
    const live = await pg.truth.live(owner.space.id);
    expect(comparable(reader.intentions)).toEqual(live.slice(-reader.intentions.length));
    expect(reader.intentions.length).toBe(posted);
    expect(reader.auditChain()).toEqual([]);
    // Bounded: well under what the unread frames would take if they were all queued.
    const unread = posted * big.length;
    expect(rssMax - rssBefore).toBeLessThan(Math.max(64 * 1024 * 1024, unread / 2));
    // The server lets go of the cut connection even though its reader never reads.
    await waitFor(
      () => serverSideState(server.port, stalled.localPort as number) !== ESTABLISHED,
      () => "the server to close the cut-off connection",
    );
    stalled.destroy();
    reader.stop();
  }, 180_000);
});
