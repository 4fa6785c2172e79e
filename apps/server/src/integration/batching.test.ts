import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningServer } from "../server.ts";
import { describeEachDriver } from "../testing/databases.ts";
import { RawStream } from "../testing/raw-stream.ts";
import { waitFor } from "../testing/reader.ts";
import { beingWithSpace, post, startTestServer } from "../testing/test-server.ts";

const MAX_BATCH = 10;

describeEachDriver("batching", (db) => {
  let server: RunningServer;

  beforeAll(async () => {
    // A window far longer than any test: a change that arrives did not wait for it.
    server = await startServerWithWindow(60_000);
  });
  afterAll(() => server.stop());

  async function startServerWithWindow(batchMs: number) {
    const { startTestServer } = await import("../testing/test-server.ts");
    return startTestServer(db.database, {
      sync: { batchMs, maxBatch: MAX_BATCH, heartbeatMs: 600_000 },
    });
  }

  test("a lone change after a quiet window is sent at once (leading edge)", async () => {
    const owner = await beingWithSpace(server.url);
    const stream = await RawStream.open(server.url, owner.token, { spaceId: owner.space.id });
    await stream.event(0);
    const lone = await post(owner.api, owner.space.id, "lone");
    const delta = await stream.event(1, 20_000);
    expect(delta.created.map((i) => i.id)).toEqual([lone.id]);
    stream.close();
  });
});

describeEachDriver("batching, short window", (db) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer(db.database, {
      // Long enough that a burst of concurrent posts lands in one window on a loaded machine
      // (300 ms did not, once, at load 17), short enough that its trailing flush is soon.
      sync: { batchMs: 3_000, maxBatch: MAX_BATCH, heartbeatMs: 600_000 },
    });
  });
  afterAll(() => server.stop());

  test(`every change of a burst arrives, in at most ceil(N / ${MAX_BATCH}) + 1 frames`, async () => {
    for (const N of [7, 35, 64]) {
      // A space of its own per burst: each starts after a quiet window.
      const owner = await beingWithSpace(server.url);
      const stream = await RawStream.open(server.url, owner.token, { spaceId: owner.space.id });
      await stream.event(0);
      const posted = await Promise.all(
        Array.from({ length: N }, (_, n) => post(owner.api, owner.space.id, `b${N} ${n}`)),
      );
      const delivered = () => stream.events().flatMap((e) => e.created);
      await waitFor(
        () => delivered().length === N,
        () => `all ${N} changes (${delivered().length})`,
      );
      const frames = stream.events().filter((e) => e.created.length > 0).length;
      expect(frames).toBeLessThanOrEqual(Math.ceil(N / MAX_BATCH) + 1);
      expect(
        delivered()
          .map((i) => i.id)
          .sort(),
      ).toEqual(posted.map((i) => i.id).sort());
      stream.close();
    }
  });
});
