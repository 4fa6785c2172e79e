import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningServer } from "../server.ts";
import { describeEachDriver } from "../testing/databases.ts";
import { RawStream } from "../testing/raw-stream.ts";
import { beingWithSpace, startTestServer } from "../testing/test-server.ts";

describeEachDriver("heartbeats (DESIGN §6)", (db) => {
  let beating: RunningServer;

  beforeAll(async () => {
    beating = await startTestServer(db.database, { sync: { heartbeatMs: 150 } });
  });
  afterAll(() => beating.stop());

  test("the heartbeat is an empty delta at the cursor: since == timestamp", async () => {
    const owner = await beingWithSpace(beating.url);
    const stream = await RawStream.open(beating.url, owner.token, { spaceId: owner.space.id });
    const first = await stream.event(0);
    const beat = await stream.event(1);
    expect(beat).toEqual({
      type: "space-delta",
      spaceId: owner.space.id,
      since: first.timestamp,
      created: [],
      updated: [],
      deleted: [],
      timestamp: first.timestamp,
    });
    expect(stream.messages[1]?.id).toBe(first.timestamp);
    // Announced, so that a client's watchdog (2.5 heartbeats) matches the server.
    expect(stream.response.headers.get("x-heartbeat-ms")).toBe("150");
    stream.close();
  });
});
