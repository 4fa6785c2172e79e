import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningServer } from "../server.ts";
import { describeEachDriver } from "../testing/databases.ts";
import { RawStream } from "../testing/raw-stream.ts";
import { beingWithSpace, startTestServer } from "../testing/test-server.ts";

describeEachDriver("heartbeats", (db) => {
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
    // It keeps beating while nothing happens, each at the same cursor.
    const next = await stream.event(2);
    expect(next).toEqual(beat);
    stream.close();
  });

  test("a change resets the beat: the next heartbeat comes at the new cursor", async () => {
    const owner = await beingWithSpace(beating.url);
    const stream = await RawStream.open(beating.url, owner.token, { spaceId: owner.space.id });
    await stream.event(0);
    const { data } = await owner.api.api
      .spaces({ id: owner.space.id })
      .intentions.post({ content: "a change" });
    const at = data?.intention.updatedAt as string;
    // Beats may come before the change lands; read on to the change, then to the next beat.
    let index = 1;
    while ((await stream.event(index)).created.length === 0) index++;
    const beatAfter = await stream.event(index + 1);
    expect(beatAfter).toMatchObject({ since: at, timestamp: at, created: [], deleted: [] });
    stream.close();
  });
});
