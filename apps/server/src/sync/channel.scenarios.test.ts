import { describe, expect, test } from "bun:test";
import { AUTHOR, channelRig, TestClient } from "../testing/sync.ts";

describe("SpaceChannel scenarios", () => {
  test("leading edge: a lone change is sent at once; a burst waits for the window's end", async () => {
    const { source, clock, channel, settle, join } = channelRig({
      batchMs: 1000,
      maxBatch: 100,
      heartbeatMs: 60_000,
    });
    const client = await join();
    source.create(AUTHOR, "lone");
    channel.notify();
    await settle();
    expect(client.events).toHaveLength(2); // the reset, then the lone change without waiting
    for (let n = 0; n < 5; n++) {
      source.create(AUTHOR, `burst ${n}`);
      channel.notify();
    }
    await settle();
    expect(client.events).toHaveLength(2);
    clock.advance(1000);
    await settle();
    expect(client.events).toHaveLength(3);
    expect(client.events[2]?.created).toHaveLength(5);
  });

  test("a full batch is sent before the window ends", async () => {
    const { source, channel, settle, join } = channelRig({ batchMs: 60_000, maxBatch: 3 });
    const client = await join();
    source.create(AUTHOR, "first");
    channel.notify();
    await settle();
    for (let n = 0; n < 3; n++) {
      source.create(AUTHOR, `n${n}`);
      channel.notify();
    }
    await settle();
    expect(client.events.map((e) => e.created.length)).toEqual([0, 1, 3]);
  });

  test("heartbeats: an empty delta at the cursor after a quiet heartbeat, for in-sync and ahead subscribers", async () => {
    const { source, clock, settle, join } = channelRig({ heartbeatMs: 200 });
    const inSync = await join();
    source.create(AUTHOR, "unannounced"); // its notification is lost: the channel lags
    // The joiner's own catch-up read works; the flush it then asks for fails: it stays ahead.
    source.failWhen = ({ limit }) => limit > 100;
    const ahead = await join(source.head);
    clock.advance(200);
    await settle();
    const beat = inSync.events.at(-1);
    expect(inSync.events).toHaveLength(2);
    expect(beat?.since).toBe(inSync.events[0]?.timestamp as string);
    expect(beat?.timestamp).toBe(beat?.since as string);
    const aheadBeat = ahead.events.at(-1);
    expect(ahead.events).toHaveLength(2);
    expect(aheadBeat?.since).toBe(source.head);
    expect(aheadBeat?.timestamp).toBe(source.head);
    // The database is back: the retried flush brings both to the head.
    source.failWhen = () => false;
    clock.advance(1000);
    await settle();
    for (const client of [inSync, ahead]) {
      expect(client.outcomes.every((o) => o.kind === "applied" || o.kind === "reset")).toBe(true);
      expect(client.state.window).toEqual(source.live());
    }
  });

  test("a subscriber joining ahead of the channel converges at the next flush", async () => {
    const { source, channel, settle, join } = channelRig();
    const early = await join();
    source.create(AUTHOR, "x");
    source.create(AUTHOR, "y");
    const ahead = await join(source.head);
    source.create(AUTHOR, "z");
    channel.notify();
    await settle();
    for (const client of [early, ahead]) {
      expect(client.outcomes.every((o) => o.kind === "applied" || o.kind === "reset")).toBe(true);
      expect(client.state.window).toEqual(source.live());
      expect(client.state.cursor).toBe(source.head);
    }
  });

  test("resumes inside the ring need no query; identical concurrent resumes share one", async () => {
    const { source, channel, metrics, settle, join } = channelRig();
    await join();
    const cursor = source.head;
    source.create(AUTHOR, "a");
    channel.notify();
    await settle();
    const reads = source.reads;
    const resumed = await join(cursor);
    expect(source.reads).toBe(reads);
    expect(metrics.catchupsFromRing).toBe(1);
    expect(resumed.events[0]?.created.map((i) => i.content)).toEqual(["a"]);
    // Outside the ring (a cursor the channel never saw): one query for many identical joiners.
    const { source: cold, channel: coldChannel, settle: coldSettle } = channelRig();
    cold.create(AUTHOR, "b");
    const joiners = Array.from({ length: 50 }, () => {
      const client = new TestClient(cold.head);
      coldChannel.join(client.subscriber, cold.head);
      return client;
    });
    await coldSettle();
    expect(cold.reads).toBe(1);
    expect(joiners.every((client) => client.events.length === 1)).toBe(true);
  });

  test("announced changes are flushed before a resume is answered from the ring", async () => {
    const { source, channel, settle, join } = channelRig({ batchMs: 60_000, catchupLimit: 3 });
    await join();
    const cursor = source.head;
    for (let n = 0; n < 4; n++) {
      source.create(AUTHOR, `m${n}`);
      channel.notify(); // the first is sent, the rest wait in the window
    }
    await settle();
    const late = await join(cursor);
    expect(late.events[0]?.reset).toBe(true); // 4 missed > limit 3: all counted, so a reset
  });

  test("changes committed here are in a resume's first frame before their notification arrives", async () => {
    const { source, channel, settle, join } = channelRig({ batchMs: 60_000, catchupLimit: 3 });
    const watcher = await join();
    const cursor = source.head;
    source.create(AUTHOR, "posted, not yet notified");
    source.create(AUTHOR, "also posted");
    channel.committed();
    const resumed = await join(cursor);
    expect(resumed.events[0]?.created.map((i) => i.content)).toEqual([
      "posted, not yet notified",
      "also posted",
    ]);
    expect(resumed.events[0]?.timestamp).toBe(source.head);
    // The watcher got them in the same flush; their notifications then find nothing new.
    channel.notify();
    channel.notify();
    await settle();
    expect(watcher.events.map((e) => e.created.length)).toEqual([0, 2]);
    // Past the catch-up limit, the same holds for the reset threshold.
    const before = source.head;
    for (let n = 0; n < 4; n++) source.create(AUTHOR, `m${n}`);
    channel.committed();
    expect((await join(before)).events[0]?.reset).toBe(true);
  });

  test("a change created and deleted since the cursor is omitted, and the cursor reads past it", async () => {
    const { source, clock, channel, settle, join } = channelRig({
      batchMs: 1000,
      heartbeatMs: 60_000,
    });
    // Each change after the first waits out the batch window.
    const flushed = async () => {
      channel.notify();
      clock.advance(1000);
      await settle();
    };
    const watcher = await join();
    const cursor = source.head;
    const brief = source.create(AUTHOR, "brief").id;
    source.remove(brief);
    await flushed();
    await flushed();
    // One empty frame moves the watcher past what it read: it stands at the head.
    expect(watcher.events).toHaveLength(2);
    expect(watcher.events[1]).toMatchObject({ since: cursor, timestamp: source.head, created: [] });
    expect(watcher.events[1]?.deleted).toEqual([]);
    expect(watcher.state.cursor).toBe(source.head);
    // A resume from before it reads through it too, and never names the deletion.
    const resumed = await join(cursor);
    expect(resumed.events[0]).toMatchObject({ since: cursor, timestamp: source.head, created: [] });
    expect(resumed.events[0]?.deleted).toEqual([]);
    // Then every reader, whatever its start, shares the channel's frames.
    const fresh = await join();
    expect(fresh.events[0]?.timestamp).toBe(source.head);
    source.create(AUTHOR, "lasting");
    await flushed();
    for (const client of [watcher, resumed, fresh]) {
      expect(client.outcomes.every((o) => o.kind === "applied" || o.kind === "reset")).toBe(true);
      expect(client.state.window).toEqual(source.live());
      expect(client.state.cursor).toBe(source.head);
    }
    source.create(AUTHOR, "shared");
    await flushed();
    const last = [watcher, resumed, fresh].map((client) => client.events.at(-1));
    expect(new Set(last.map((event) => JSON.stringify(event))).size).toBe(1);
  });

  test("a backlog too large to chain closes the subscribers so that they resume", async () => {
    const { source, channel, settle, join } = channelRig({ maxBatch: 1 });
    const client = await join();
    for (let n = 0; n < 1001; n++) source.create(AUTHOR, `m${n}`);
    channel.notify();
    await settle();
    expect(client.subscriber.closed).toBe(true);
    expect(channel.lastSent).toBeUndefined();
  });
});
