import { describe, expect, test } from "bun:test";
import { buildDelta, buildReset } from "@rhizome/protocol";
import { change, intention, intentionId, SPACE, stamp } from "@rhizome/protocol/testing";
import {
  FakeTransport,
  ManualClock,
} from "../../../../../packages/client/src/testing/fake-transport.ts";
import { type HistoryPage, type NetworkSignal, SpaceSync } from "./space-sync.svelte.ts";

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

class FakeNetwork implements NetworkSignal {
  online = true;
  readonly listeners = new Map<string, Set<() => void>>();
  addEventListener(type: string, listener: () => void) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)?.add(listener);
  }
  removeEventListener(type: string, listener: () => void) {
    this.listeners.get(type)?.delete(listener);
  }
  emit(type: "online" | "offline") {
    this.online = type === "online";
    for (const listener of this.listeners.get(type) ?? []) listener();
  }
  get count() {
    return [...this.listeners.values()].reduce((sum, set) => sum + set.size, 0);
  }
}

/** A history endpoint whose answers the test releases by hand. */
class FakeHistory {
  readonly requests: {
    before: string | undefined;
    limit: number;
    resolve: (page: HistoryPage) => void;
    reject: (error: Error) => void;
  }[] = [];
  readonly load = (_space: string, before: string | undefined, limit: number) =>
    new Promise<HistoryPage>((resolve, reject) => {
      this.requests.push({ before, limit, resolve, reject });
    });
  get last() {
    const request = this.requests.at(-1);
    if (!request) throw new Error("no history request");
    return request;
  }
}

function setup(options: { online?: boolean } = {}) {
  const fake = new FakeTransport();
  const clock = new ManualClock();
  const network = new FakeNetwork();
  network.online = options.online ?? true;
  const history = new FakeHistory();
  const sync = new SpaceSync({
    spaceId: SPACE,
    transport: fake.transport,
    loadHistory: history.load,
    network,
    now: () => clock.now,
    random: () => 0.5,
    timers: clock.timers,
    pageSize: 2,
  });
  return { fake, clock, network, history, sync };
}

describe("SpaceSync", () => {
  test("opens the stream only while retained, and closes it with the last holder", async () => {
    const { fake, network, sync } = setup();
    expect(fake.streams.length).toBe(0);
    expect(network.count).toBe(0);
    const first = sync.retain();
    const second = sync.retain();
    await fake.opened(1);
    expect(fake.streams.length).toBe(1);
    expect(network.count).toBe(2);
    first();
    first();
    expect(fake.latest.signal.aborted).toBe(false);
    second();
    expect(fake.latest.signal.aborted).toBe(true);
    expect(network.count).toBe(0);
  });

  test("applies the reset and live deltas, goes live and records when it last synced", async () => {
    const { fake, clock, sync } = setup();
    sync.retain();
    await fake.opened(1);
    expect(sync.label).toBe("connecting");
    expect(sync.lastSyncedAt).toBeNull();
    fake.latest.push(buildReset(SPACE, stamp(1), [intention(1)]));
    fake.latest.push(buildDelta(SPACE, stamp(1), [change(2)]));
    await settle();
    expect(sync.label).toBe("live");
    expect(sync.intentions.map((item) => item.content)).toEqual(["#1", "#2"]);
    expect(sync.cursor).toBe(stamp(2));
    expect(sync.lastSyncedAt).toBe(clock.now);
    clock.advance(1000);
    fake.latest.push(buildDelta(SPACE, stamp(2), [])); // a heartbeat
    await settle();
    expect(sync.lastSyncedAt).toBe(clock.now);
  });

  test("after a drop it reconnects from its own cursor and shows reconnecting meanwhile", async () => {
    const { fake, clock, sync } = setup();
    sync.retain();
    await fake.opened(1);
    fake.latest.push(buildReset(SPACE, stamp(5), [intention(5)]));
    await settle();
    fake.latest.fail();
    await settle();
    expect(sync.label).toBe("reconnecting");
    clock.advance(20_000);
    await fake.opened(2);
    expect(fake.latest.request.since).toBe(stamp(5));
    expect(sync.label).toBe("reconnecting");
    fake.latest.push(buildDelta(SPACE, stamp(5), [change(6)]));
    await settle();
    expect(sync.label).toBe("live");
    expect(sync.intentions.map((item) => item.id)).toEqual([intentionId(5), intentionId(6)]);
  });

  test("offline and online events from the browser drive the connection", async () => {
    const { fake, network, sync } = setup();
    sync.retain();
    await fake.opened(1);
    fake.latest.push(buildReset(SPACE, stamp(1), []));
    await settle();
    network.emit("offline");
    expect(sync.label).toBe("offline");
    expect(fake.latest.signal.aborted).toBe(true);
    network.emit("online");
    await fake.opened(2);
    expect(fake.latest.request.since).toBe(stamp(1));
  });

  test("starting while the browser is offline waits for `online`", async () => {
    const { fake, network, sync } = setup({ online: false });
    sync.retain();
    expect(sync.label).toBe("offline");
    // No first attempt while offline: the only stream is the one `online` opens.
    expect(fake.streams.length).toBe(0);
    network.emit("online");
    await fake.opened(1);
    expect(fake.streams.length).toBe(1);
    expect(fake.streams[0]?.signal.aborted).toBe(false);
  });

  test("a reset replaces the window and starts history over", async () => {
    const { fake, history, sync } = setup();
    sync.retain();
    await fake.opened(1);
    fake.latest.push(buildReset(SPACE, stamp(10), [intention(9), intention(10)]));
    await settle();
    const loading = sync.loadOlder();
    history.last.resolve({ intentions: [intention(8)], hasMore: false });
    expect(await loading).toBe("loaded");
    expect(sync.history.hasMore).toBe(false);
    fake.latest.push(buildReset(SPACE, stamp(20), [intention(19), intention(20)]));
    await settle();
    expect(sync.intentions.map((item) => item.id)).toEqual([intentionId(19), intentionId(20)]);
    expect(sync.history.hasMore).toBeNull();
  });
});

describe("SpaceSync history", () => {
  async function live() {
    const context = setup();
    context.sync.retain();
    await context.fake.opened(1);
    context.fake.latest.push(buildReset(SPACE, stamp(10), [intention(9), intention(10)]));
    await settle();
    return context;
  }

  test("asks for the page before the oldest intention and merges it in order", async () => {
    const { history, sync } = await live();
    const loading = sync.loadOlder();
    expect(sync.history.loading).toBe(true);
    expect(await sync.loadOlder()).toBe("busy");
    expect(history.last.before).toBe(stamp(9));
    expect(history.last.limit).toBe(2);
    history.last.resolve({ intentions: [intention(7), intention(8)], hasMore: true });
    expect(await loading).toBe("loaded");
    expect(sync.intentions.map((item) => item.id)).toEqual([
      intentionId(7),
      intentionId(8),
      intentionId(9),
      intentionId(10),
    ]);
    expect(sync.history).toEqual({ loading: false, hasMore: true, error: null });
    const next = sync.loadOlder();
    expect(history.last.before).toBe(stamp(7));
    history.last.resolve({ intentions: [intention(6)], hasMore: false });
    await next;
    expect(await sync.loadOlder()).toBe("exhausted");
    expect(history.requests.length).toBe(2);
  });

  test("a page fetched before a delete does not bring the deleted intention back", async () => {
    const { fake, history, sync } = await live();
    const loading = sync.loadOlder();
    // While the page is in flight, intention 8 (older than the window) is deleted...
    fake.latest.push(
      buildDelta(SPACE, stamp(10), [
        change(8, { content: "", updatedAt: stamp(11), deletedAt: stamp(11) }),
      ]),
    );
    await settle();
    // ...and the page, read before the delete, still has it.
    history.last.resolve({ intentions: [intention(7), intention(8)], hasMore: false });
    await loading;
    expect(sync.intentions.map((item) => item.id)).toEqual([
      intentionId(7),
      intentionId(9),
      intentionId(10),
    ]);
  });

  test("a page fetched before an edit does not undo the edit", async () => {
    const { fake, history, sync } = await live();
    const loading = sync.loadOlder();
    fake.latest.push(
      buildDelta(SPACE, stamp(10), [change(8, { content: "edited", updatedAt: stamp(11) })]),
    );
    await settle();
    history.last.resolve({ intentions: [intention(8, { content: "original" })], hasMore: false });
    await loading;
    expect(sync.intentions.find((item) => item.id === intentionId(8))?.content).toBe("edited");
  });

  test("a page requested before a reset is dropped as stale", async () => {
    const { fake, history, sync } = await live();
    const loading = sync.loadOlder();
    fake.latest.push(buildReset(SPACE, stamp(30), [intention(30)]));
    await settle();
    history.last.resolve({ intentions: [intention(8)], hasMore: true });
    expect(await loading).toBe("stale");
    expect(sync.intentions.map((item) => item.id)).toEqual([intentionId(30)]);
    expect(sync.history.loading).toBe(false);
  });

  test("a failed page is reported and can be retried", async () => {
    const { history, sync } = await live();
    const loading = sync.loadOlder();
    history.last.reject(new Error("offline"));
    expect(await loading).toBe("failed");
    expect(sync.history.error).toBe("offline");
    const retry = sync.loadOlder();
    history.last.resolve({ intentions: [], hasMore: false });
    expect(await retry).toBe("loaded");
    expect(sync.history.error).toBeNull();
  });

  test("does not ask for history before the first reset", async () => {
    const { history, sync } = setup();
    expect(await sync.loadOlder()).toBe("not-ready");
    expect(history.requests.length).toBe(0);
  });
});
