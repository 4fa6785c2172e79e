import { afterEach, describe, expect, test } from "bun:test";
import { buildDelta, buildReset } from "@rhizome/protocol";
import { AUTHORS, change, intention, OTHER_SPACE, SPACE, stamp } from "@rhizome/protocol/testing";
import { QueryClient } from "@tanstack/svelte-query";
import {
  FakeMultiTransport,
  ManualClock,
} from "../../../../../packages/client/src/testing/fake-transport.ts";
import { keys } from "../api/queries.ts";
import { FakeChannelHub, FakeMessengerApi, listed, until } from "../testing/messenger-fakes.ts";
import { Messenger } from "./messenger.svelte.ts";

const [ME, BOB] = AUTHORS;
const THIRD = "00000000-0000-4000-8000-000000000003";
const by = (n: number, authorId: string, spaceId = SPACE) => intention(n, { authorId, spaceId });
const created = (n: number, authorId: string, spaceId = SPACE) => change(n, { authorId, spaceId });
const deleted = (n: number, at: number, authorId: string, spaceId = SPACE) =>
  change(n, { authorId, spaceId, content: "", updatedAt: stamp(at), deletedAt: stamp(at) });

const open: Messenger[] = [];
afterEach(() => {
  for (const messenger of open.splice(0)) messenger.dispose();
});

/** The window's focus and pagehide events, fired by hand. */
class FakePage {
  readonly #listeners = new Map<string, Set<() => void>>();
  addEventListener(type: string, listener: () => void) {
    this.#listeners.set(type, (this.#listeners.get(type) ?? new Set()).add(listener));
  }
  removeEventListener(type: string, listener: () => void) {
    this.#listeners.get(type)?.delete(listener);
  }
  emit(type: "focus" | "pagehide") {
    for (const listener of this.#listeners.get(type) ?? []) listener();
  }
}

function setup(options: { api?: FakeMessengerApi; hub?: FakeChannelHub } = {}) {
  const api = options.api ?? new FakeMessengerApi();
  const hub = options.hub ?? new FakeChannelHub();
  const fake = new FakeMultiTransport();
  const clock = new ManualClock();
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const page = new FakePage();
  const messenger = new Messenger({
    page,
    beingId: ME,
    queryClient,
    listSpaces: api.listSpaces,
    putRead: api.putRead,
    loadHistory: api.loadHistory,
    transport: fake.transport,
    readPort: hub.port(),
    timers: clock.timers,
    now: () => clock.now,
    pageSize: 2,
    readDelayMs: 1000,
    // Reconnects at once: the backoff itself is the client package's to test.
    settings: { heartbeatMs: 15_000, minBackoffMs: 1, maxBackoffMs: 1 },
  });
  open.push(messenger);
  const followed = () => fake.latest.request.spaces.map((space) => space.spaceId);
  return { api, hub, fake, clock, queryClient, messenger, followed, page };
}

/** Starts and waits for the stream that follows the listed member spaces. */
async function started(context: ReturnType<typeof setup>, streams = 1) {
  context.messenger.start();
  await context.fake.opened(streams);
}

describe("Messenger: unread counts", () => {
  test("start from the server's count, add live creates by others, lower on a delete", async () => {
    const api = new FakeMessengerApi();
    api.spaces = [
      listed(SPACE, { readAt: stamp(5), unread: 2, lastIntention: by(7, BOB) }),
      listed(OTHER_SPACE, { unread: 0 }),
    ];
    const context = setup({ api });
    const { fake, messenger } = context;
    await started(context);
    expect(fake.latest.request.spaces).toEqual([
      { spaceId: SPACE, page: 1 },
      { spaceId: OTHER_SPACE, page: 1 },
    ]);
    expect(messenger.unread(SPACE)).toBe(2);

    // The sidebar's page holds #7, one of the two counted: still two, not three.
    fake.latest.push(buildReset(SPACE, stamp(7), [by(7, BOB)]));
    await until(() => messenger.cursor(SPACE) === stamp(7));
    expect(messenger.unread(SPACE)).toBe(2);

    fake.latest.push(buildDelta(SPACE, stamp(7), [created(8, BOB), created(9, ME)]));
    fake.latest.push(buildReset(OTHER_SPACE, stamp(3), []));
    fake.latest.push(buildDelta(OTHER_SPACE, stamp(3), [created(4, BOB, OTHER_SPACE)]));
    await until(() => messenger.cursor(OTHER_SPACE) === stamp(4));
    expect(messenger.unread(SPACE)).toBe(3);
    expect(messenger.unread(OTHER_SPACE)).toBe(1);
    expect(messenger.totalUnread).toBe(4);

    fake.latest.push(buildDelta(SPACE, stamp(9), [deleted(8, 10, BOB)]));
    await until(() => messenger.cursor(SPACE) === stamp(10));
    expect(messenger.unread(SPACE)).toBe(2);
    expect(messenger.entries.find((entry) => entry.space.id === SPACE)?.latest?.id).toBe(
      by(9, ME).id,
    );
  });

  test("a reset does not lose the counted intentions that the new window no longer holds", async () => {
    const api = new FakeMessengerApi();
    api.spaces = [listed(SPACE, { readAt: stamp(1), unread: 3, lastIntention: by(4, BOB) })];
    const context = setup({ api });
    const { fake, messenger } = context;
    await started(context);
    fake.latest.push(buildReset(SPACE, stamp(4), [by(2, BOB), by(3, BOB), by(4, BOB)]));
    await until(() => messenger.cursor(SPACE) === stamp(4));
    expect(messenger.unread(SPACE)).toBe(3);
    fake.latest.push(buildReset(SPACE, stamp(5), [by(4, BOB)]));
    await until(() => messenger.cursor(SPACE) === stamp(5));
    expect(messenger.unread(SPACE)).toBe(3);
  });
});

describe("Messenger: read markers", () => {
  test("seeing a space clears it at once, here and in the other tabs; the PUT waits for a pause", async () => {
    const api = new FakeMessengerApi();
    api.spaces = [listed(SPACE, { readAt: stamp(1), unread: 1, lastIntention: by(2, BOB) })];
    const hub = new FakeChannelHub();
    const context = setup({ api, hub });
    const other = setup({ api, hub });
    const { fake, clock, messenger } = context;
    await Promise.all([started(context), started(other)]);
    for (const tab of [fake, other.fake])
      tab.latest.push(buildReset(SPACE, stamp(2), [by(2, BOB)]));
    await until(() => messenger.cursor(SPACE) !== null && other.messenger.cursor(SPACE) !== null);
    expect(other.messenger.unread(SPACE)).toBe(1);

    messenger.markSeen(SPACE);
    expect(messenger.unread(SPACE)).toBe(0);
    expect(other.messenger.unread(SPACE)).toBe(0);
    expect(other.messenger.readAt(SPACE)).toBe(stamp(2));

    // More reading within the pause is sent with it, as one PUT of the furthest cursor.
    clock.advance(999);
    fake.latest.push(buildDelta(SPACE, stamp(2), [created(3, BOB)]));
    await until(() => messenger.cursor(SPACE) === stamp(3));
    expect(messenger.unread(SPACE)).toBe(1);
    messenger.markSeen(SPACE);
    expect(api.puts).toEqual([]);
    clock.advance(1);
    expect(api.puts).toEqual([{ spaceId: SPACE, cursor: stamp(3) }]);
    // Nothing new: seeing it again sends nothing.
    messenger.markSeen(SPACE);
    clock.advance(5000);
    expect(api.puts.length).toBe(1);
  });

  test("a list read before the marker moved does not bring the badge back", async () => {
    const api = new FakeMessengerApi();
    api.spaces = [listed(SPACE, { readAt: stamp(1), unread: 1, lastIntention: by(2, BOB) })];
    const context = setup({ api });
    const { fake, messenger } = context;
    await started(context);
    fake.latest.push(buildReset(SPACE, stamp(2), [by(2, BOB)]));
    await until(() => messenger.cursor(SPACE) !== null);
    messenger.markSeen(SPACE);
    const calls = api.listCalls;
    messenger.refetchListing();
    await until(() => api.listCalls > calls && messenger.listing !== undefined);
    await until(() => true);
    expect(messenger.unread(SPACE)).toBe(0);
    // A marker moved further on another device wins.
    api.spaces = [listed(SPACE, { readAt: stamp(9), unread: 0, lastIntention: by(2, BOB) })];
    messenger.refetchListing();
    await until(() => messenger.readAt(SPACE) === stamp(9));
  });

  test("a space not joined is never marked", async () => {
    const api = new FakeMessengerApi();
    api.spaces = [listed(SPACE, { role: null })];
    const context = setup({ api });
    const { fake, clock, messenger } = context;
    messenger.start();
    await until(() => messenger.listing !== undefined);
    messenger.open(SPACE);
    await fake.opened(1);
    fake.latest.push(buildReset(SPACE, stamp(2), [by(2, BOB)]));
    await until(() => messenger.cursor(SPACE) !== null);
    messenger.markSeen(SPACE);
    clock.advance(5000);
    expect(api.puts).toEqual([]);
    expect(messenger.entries).toEqual([]);
  });
});

describe("Messenger: the followed set", () => {
  test("follows the listing: join, create and leave change the one subscription", async () => {
    const api = new FakeMessengerApi();
    api.spaces = [listed(SPACE), listed(OTHER_SPACE, { role: null })];
    const context = setup({ api });
    const { fake, queryClient, messenger, followed } = context;
    await started(context);
    expect(followed()).toEqual([SPACE]);
    expect(messenger.publicSpaces.map((space) => space.id)).toEqual([OTHER_SPACE]);

    // Joined (here or on another device, read on focus): the list is read again.
    api.spaces = [listed(SPACE), listed(OTHER_SPACE)];
    await queryClient.invalidateQueries({ queryKey: keys.spaces });
    await fake.opened(2);
    expect(followed()).toEqual([SPACE, OTHER_SPACE]);

    api.spaces = [listed(THIRD, { role: "owner" }), listed(SPACE), listed(OTHER_SPACE)];
    await queryClient.invalidateQueries({ queryKey: keys.spaces });
    await fake.opened(3);
    expect(followed()).toEqual([SPACE, OTHER_SPACE, THIRD]);

    api.spaces = [listed(THIRD, { role: "owner" }), listed(OTHER_SPACE)];
    await queryClient.invalidateQueries({ queryKey: keys.spaces });
    await fake.opened(4);
    expect(followed()).toEqual([OTHER_SPACE, THIRD]);
    expect(fake.streams.length).toBe(4);
  });

  test("a space on screen is followed with a chat page, and only while it is shown", async () => {
    const api = new FakeMessengerApi();
    api.spaces = [listed(SPACE), listed(OTHER_SPACE, { role: null })];
    const context = setup({ api });
    const { fake, messenger } = context;
    await started(context);
    const release = messenger.open(OTHER_SPACE);
    await fake.opened(2);
    expect(fake.latest.request.spaces).toEqual([
      { spaceId: SPACE, page: 1 },
      { spaceId: OTHER_SPACE, page: 50 },
    ]);
    release();
    await fake.opened(3);
    expect(fake.latest.request.spaces).toEqual([{ spaceId: SPACE, page: 1 }]);
  });

  test("removed from a space: the stream answers 404, the list is read again, the space is dropped", async () => {
    const api = new FakeMessengerApi();
    api.spaces = [listed(SPACE), listed(OTHER_SPACE, { visibility: "private" })];
    // Removed meanwhile: every later answer of the list leaves the private space out.
    api.beforeList = (call) => {
      if (call > 1) api.spaces = [listed(SPACE)];
    };
    const context = setup({ api });
    const { fake, messenger, followed } = context;
    fake.respond = (request) =>
      request.spaces.some((space) => space.spaceId === OTHER_SPACE) ? { status: 404 } : "accept";
    messenger.start();
    messenger.open(OTHER_SPACE);
    await fake.opened(1);
    expect(followed()).toEqual([SPACE]);
    expect(messenger.isLost(OTHER_SPACE)).toBe(true);
    await until(() => messenger.entries.length === 1, "the list without the space");
    expect(messenger.entries.map((entry) => entry.space.id)).toEqual([SPACE]);
  });

  test("focus reads the list again (joined on another device); pagehide sends the marker", async () => {
    const api = new FakeMessengerApi();
    api.spaces = [listed(SPACE, { unread: 1, lastIntention: by(1, BOB) })];
    const context = setup({ api });
    const { fake, messenger, page } = context;
    await started(context);
    api.spaces = [listed(SPACE, { unread: 1, lastIntention: by(1, BOB) }), listed(OTHER_SPACE)];
    page.emit("focus");
    await fake.opened(2);
    expect(context.followed()).toEqual([SPACE, OTHER_SPACE]);

    fake.latest.push(buildReset(SPACE, stamp(1), [by(1, BOB)]));
    await until(() => messenger.cursor(SPACE) !== null);
    messenger.markSeen(SPACE);
    expect(api.puts).toEqual([]);
    page.emit("pagehide");
    expect(api.puts).toEqual([{ spaceId: SPACE, cursor: stamp(1) }]);
  });

  test("a reconnect reads the list again (membership changed on another device)", async () => {
    const api = new FakeMessengerApi();
    api.spaces = [listed(SPACE)];
    const context = setup({ api });
    const { fake, messenger } = context;
    await started(context);
    fake.latest.push(buildReset(SPACE, stamp(1), []));
    await until(() => messenger.label === "live");
    const calls = api.listCalls;
    api.spaces = [listed(SPACE), listed(OTHER_SPACE)];
    fake.latest.fail();
    await fake.opened(2);
    fake.latest.push(buildDelta(SPACE, stamp(1), []));
    await until(() => api.listCalls > calls, "a second read of the list");
    await fake.opened(3);
    expect(fake.latest.request.spaces.map((space) => space.spaceId)).toEqual([SPACE, OTHER_SPACE]);
  });
});

describe("Messenger: the sidebar", () => {
  test("own spaces first, then by latest activity, live", async () => {
    const api = new FakeMessengerApi();
    api.spaces = [
      listed(SPACE, { name: "a", lastIntention: by(5, BOB) }),
      listed(OTHER_SPACE, { name: "b", role: "owner", lastIntention: by(1, BOB, OTHER_SPACE) }),
      listed(THIRD, { name: "c", lastIntention: by(9, BOB, THIRD) }),
    ];
    const context = setup({ api });
    const { fake, messenger } = context;
    await started(context);
    const names = () => messenger.entries.map((entry) => entry.space.name);
    expect(names()).toEqual(["b", "c", "a"]);

    fake.latest.push(buildReset(SPACE, stamp(5), [by(5, BOB)]));
    fake.latest.push(buildDelta(SPACE, stamp(5), [created(20, BOB)]));
    await until(() => messenger.cursor(SPACE) === stamp(20));
    expect(names()).toEqual(["b", "a", "c"]);
    expect(messenger.entries[1]?.latest?.content).toBe("#20");
  });
});

describe("Messenger: history and connection", () => {
  test("goes live, records when it last synced, and loads the page before the oldest", async () => {
    const api = new FakeMessengerApi();
    api.spaces = [listed(SPACE)];
    const context = setup({ api });
    const { fake, clock, messenger } = context;
    await started(context);
    expect(messenger.label).toBe("connecting");
    expect(await messenger.loadOlder(SPACE)).toBe("not-ready");
    clock.now = 5_000_000;
    fake.latest.push(buildReset(SPACE, stamp(12), [by(10, BOB), by(11, ME)]));
    await until(() => messenger.label === "live");
    expect(messenger.lastSyncedAt).toBe(5_000_000);

    const loading = messenger.loadOlder(SPACE);
    expect(messenger.history(SPACE).loading).toBe(true);
    expect(await messenger.loadOlder(SPACE)).toBe("busy");
    expect(api.history[0]).toMatchObject({ spaceId: SPACE, before: stamp(10), limit: 2 });
    api.history[0]?.resolve({ intentions: [by(8, BOB), by(9, BOB)], hasMore: false });
    expect(await loading).toBe("loaded");
    expect(messenger.intentions(SPACE).map((item) => item.content)).toEqual([
      "#8",
      "#9",
      "#10",
      "#11",
    ]);
    expect(messenger.history(SPACE)).toEqual({ loading: false, hasMore: false, error: null });
    expect(await messenger.loadOlder(SPACE)).toBe("exhausted");
  });

  test("a page requested before a reset is dropped; a failed page can be retried", async () => {
    const api = new FakeMessengerApi();
    api.spaces = [listed(SPACE)];
    const context = setup({ api });
    const { fake, messenger } = context;
    await started(context);
    fake.latest.push(buildReset(SPACE, stamp(12), [by(10, BOB)]));
    await until(() => messenger.cursor(SPACE) !== null);
    const stale = messenger.loadOlder(SPACE);
    fake.latest.push(buildReset(SPACE, stamp(30), [by(29, BOB)]));
    await until(() => messenger.cursor(SPACE) === stamp(30));
    api.history[0]?.resolve({ intentions: [by(9, BOB)], hasMore: true });
    expect(await stale).toBe("stale");
    expect(messenger.intentions(SPACE).map((item) => item.content)).toEqual(["#29"]);

    const failing = messenger.loadOlder(SPACE);
    api.history[1]?.reject(new Error("offline"));
    expect(await failing).toBe("failed");
    expect(messenger.history(SPACE).error).toBe("offline");
    const retry = messenger.loadOlder(SPACE);
    expect(api.history[2]?.before).toBe(stamp(29));
    api.history[2]?.resolve({ intentions: [by(28, BOB)], hasMore: true });
    expect(await retry).toBe("loaded");
  });
});
