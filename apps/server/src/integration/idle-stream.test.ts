import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Database, openDatabase } from "../db/client.ts";
import type { RunningServer } from "../server.ts";
import { RawStream } from "../testing/raw-stream.ts";
import { beingWithSpace, post, startTestServer } from "../testing/test-server.ts";

/** Bun's idle timer is coarse: a 2 s timeout fires within about 4 s. */
const IDLE_SECONDS = 2;
const SILENCE_MS = 6000;

describe("idle streams", () => {
  let database: Database;
  let server: RunningServer;

  beforeAll(async () => {
    database = await openDatabase({ databaseUrl: undefined, dataDir: "memory://" });
    // Heartbeats far apart, so that only the idle timer could end the stream.
    server = await startTestServer(
      database,
      { sync: { heartbeatMs: 600_000, batchMs: 10 } },
      { idleTimeoutSeconds: IDLE_SECONDS },
    );
  });
  afterAll(async () => {
    await server.stop();
    await database.close();
  });

  test("a silent stream outlives the server's idle timer", async () => {
    const owner = await beingWithSpace(server.url);
    const stream = await RawStream.open(server.url, owner.token, { spaceId: owner.space.id });
    await stream.event(0);
    // Silence for longer than the idle timeout: the one thing here that must take time.
    await Bun.sleep(SILENCE_MS);
    expect(stream.ended).toBe(false);
    const later = await post(owner.api, owner.space.id, "after the silence");
    expect((await stream.event(1)).created.map((i) => i.id)).toEqual([later.id]);
    stream.close();
  }, 30_000);
});
