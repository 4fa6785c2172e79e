import { describe, expect, test } from "bun:test";
import { FakeMultiTransport, ManualClock } from "@rhizome/client/testing";
import { buildDelta, buildReset } from "@rhizome/protocol";
import { change, intention, OTHER_SPACE, SPACE, stamp } from "@rhizome/protocol/testing";
import { HubHost } from "./hub-host.ts";
import { HubMirror } from "./hub-mirror.ts";
import { type TabLinkOptions, tabLink } from "./links.ts";
import { FakeBus, FakeLocks, MemoryCopy, settle } from "./testing/fakes.ts";

const BEING = "00000000-0000-4000-8000-0000000000b1";
const at = (spaceId: string, n: number) => intention(n, { spaceId });
const edit = (spaceId: string, n: number) => change(n, { spaceId });
const contents = (mirror: HubMirror, spaceId: string) =>
  mirror.intentions(spaceId).map((item) => item.content);

/** A browser: one fake server, Web Locks, BroadcastChannels and IndexedDB shared by its tabs. */
function browser() {
  const fake = new FakeMultiTransport();
  const clock = new ManualClock();
  const locks = new FakeLocks();
  const bus = new FakeBus();
  const copy = new MemoryCopy();
  let tabs = 0;
  const openTab = (
    spaces = [
      { spaceId: SPACE, page: 50 },
      { spaceId: OTHER_SPACE, page: 1 },
    ],
  ) => {
    const clientId = `tab-${++tabs}`;
    let mirror: HubMirror | undefined;
    const options: TabLinkOptions = {
      name: `rhizome-hub:${BEING}`,
      clientId,
      locks,
      openChannel: bus.open,
      makeHost: (send, seed) =>
        new HubHost({
          config: { beingId: BEING },
          transport: fake.transport,
          copy,
          send,
          seed,
          timers: clock.timers,
          now: () => clock.now,
          random: () => 0.5,
        }),
      seed: () => {
        const seed = new Map();
        for (const spaceId of mirror?.spaceIds ?? []) {
          const state = mirror?.space(spaceId);
          if (state?.cursor) seed.set(spaceId, { cursor: state.cursor, window: state.window });
        }
        return seed;
      },
    };
    const link = tabLink(options);
    mirror = new HubMirror({
      clientId,
      config: { beingId: BEING },
      link,
      spaces,
      refetchSpaces: async () => [SPACE],
      localCopy: copy.load(),
    });
    mirror.start();
    return { mirror, link };
  };
  return { fake, clock, locks, copy, openTab };
}

/** Every space's first frame on the latest stream. */
function firstFrames(fake: FakeMultiTransport) {
  fake.latest.push(buildReset(SPACE, stamp(10), [at(SPACE, 10)]));
  fake.latest.push(buildReset(OTHER_SPACE, stamp(20), [at(OTHER_SPACE, 20)]));
}

describe("tabs sharing one stream through an elected tab", () => {
  test("the first tab is elected; three tabs share one stream and all go live", async () => {
    const { fake, openTab } = browser();
    const tabs = [openTab(), openTab(), openTab()];
    await fake.opened(1);
    firstFrames(fake);
    await settle();
    expect(tabs.map((tab) => tab.link.election.role)).toEqual(["holder", "candidate", "candidate"]);
    expect(fake.streams.length).toBe(1);
    expect(fake.latest.request.spaces).toEqual([
      { spaceId: SPACE, page: 50 },
      { spaceId: OTHER_SPACE, page: 1 },
    ]);
    for (const { mirror } of tabs) {
      expect(mirror.connection.status).toBe("live");
      expect(contents(mirror, SPACE)).toEqual(["#10"]);
    }
    fake.latest.push(buildDelta(SPACE, stamp(10), [edit(SPACE, 11)]));
    await settle();
    for (const { mirror } of tabs) expect(contents(mirror, SPACE)).toEqual(["#10", "#11"]);
  });

  test("when the holder goes, the next tab takes over and resumes from the cursors: nothing lost or doubled", async () => {
    const { fake, openTab } = browser();
    const first = openTab();
    const second = openTab();
    const third = openTab();
    await fake.opened(1);
    firstFrames(fake);
    fake.latest.push(buildDelta(SPACE, stamp(10), [edit(SPACE, 11)]));
    await settle();
    const firstStream = fake.latest;

    // The holder's tab closes without a word (killed): the browser releases its lock.
    first.link.close();
    await fake.opened(2);
    expect(firstStream.signal.aborted).toBe(true);
    expect(second.link.election.role).toBe("holder");
    // A catch-up, not a reset: the body carries every space's cursor.
    expect(fake.latest.request.spaces).toEqual([
      { spaceId: SPACE, since: stamp(11), page: 50 },
      { spaceId: OTHER_SPACE, since: stamp(20), page: 1 },
    ]);
    // What was posted meanwhile arrives once; a frame repeating an old one is a duplicate.
    fake.latest.push(buildDelta(SPACE, stamp(11), [edit(SPACE, 12), edit(SPACE, 13)]));
    fake.latest.push(buildDelta(OTHER_SPACE, stamp(20), []));
    fake.latest.push(buildDelta(SPACE, stamp(11), [edit(SPACE, 12)]));
    await settle();
    for (const { mirror } of [second, third]) {
      expect(mirror.connection.status).toBe("live");
      expect(contents(mirror, SPACE)).toEqual(["#10", "#11", "#12", "#13"]);
    }
    expect(fake.streams.length).toBe(2);
  });

  test("a tab closing cleanly hands over too, and the new holder follows only the wishes left", async () => {
    const { fake, openTab } = browser();
    const first = openTab([{ spaceId: SPACE, page: 50 }]);
    const second = openTab([{ spaceId: OTHER_SPACE, page: 1 }]);
    await fake.opened(1);
    await settle();
    // Whichever tab's wish arrived first: the stream follows both.
    expect(fake.latest.request.spaces.map((entry) => entry.spaceId).sort()).toEqual([
      SPACE,
      OTHER_SPACE,
    ]);
    first.mirror.close();
    await fake.opened(2);
    await settle();
    expect(fake.latest.request.spaces).toEqual([{ spaceId: OTHER_SPACE, page: 1 }]);
    expect(second.mirror.spaceIds).toEqual([OTHER_SPACE]);
  });

  test("a tab follows its own set; the stream follows every tab's, with the largest page", async () => {
    const { fake, openTab } = browser();
    const sidebar = openTab([{ spaceId: SPACE, page: 1 }]);
    await fake.opened(1);
    const chat = openTab([
      { spaceId: SPACE, page: 50 },
      { spaceId: OTHER_SPACE, page: 50 },
    ]);
    await fake.opened(2);
    expect(fake.latest.request.spaces).toEqual([
      { spaceId: SPACE, page: 50 },
      { spaceId: OTHER_SPACE, page: 50 },
    ]);
    expect(sidebar.mirror.spaceIds).toEqual([SPACE]);
    chat.mirror.unfollow(OTHER_SPACE);
    await fake.opened(3);
    expect(fake.latest.request.spaces.map((entry) => entry.spaceId)).toEqual([SPACE]);
  });

  test("a reload paints from the local copy at once and resumes with a catch-up", async () => {
    const { fake, copy, openTab } = browser();
    copy.saved.set(SPACE, { cursor: stamp(11), window: [at(SPACE, 10), at(SPACE, 11)] });
    const { mirror } = openTab();
    await mirror.ready;
    expect(contents(mirror, SPACE)).toEqual(["#10", "#11"]);
    await fake.opened(1);
    expect(fake.latest.request.spaces).toEqual([
      { spaceId: SPACE, since: stamp(11), page: 50 },
      { spaceId: OTHER_SPACE, page: 1 },
    ]);
    fake.latest.push(buildDelta(SPACE, stamp(11), [edit(SPACE, 12)]));
    await settle();
    expect(contents(mirror, SPACE)).toEqual(["#10", "#11", "#12"]);
    // Every change is kept for the next reload.
    expect(copy.saved.get(SPACE)?.cursor).toBe(stamp(12));
  });

  test("a 404 asks a tab for the spaces; the gone one is dropped in every tab", async () => {
    const { fake, clock, openTab } = browser();
    const first = openTab();
    const second = openTab();
    await fake.opened(1);
    firstFrames(fake);
    await settle();
    const dropped: string[][] = [];
    second.mirror.subscribe((change) => {
      if (change.kind === "spaces") dropped.push([...change.dropped]);
    });
    fake.respond = (request) =>
      request.spaces.some((entry) => entry.spaceId === OTHER_SPACE) ? { status: 404 } : "accept";
    fake.latest.end();
    await settle();
    clock.advance(30_000);
    await fake.opened(2);
    await settle();
    expect(fake.latest.request.spaces.map((entry) => entry.spaceId)).toEqual([SPACE]);
    expect(dropped).toEqual([[OTHER_SPACE]]);
    expect(first.mirror.spaceIds).toEqual([SPACE]);
    expect(second.mirror.spaceIds).toEqual([SPACE]);
  });

  test("offline in any tab makes the shared stream offline; online resumes it", async () => {
    const { fake, openTab } = browser();
    const first = openTab();
    const second = openTab();
    await fake.opened(1);
    firstFrames(fake);
    await settle();
    second.mirror.setOnline(false);
    await settle();
    expect(first.mirror.connection.status).toBe("offline");
    expect(second.mirror.connection.status).toBe("offline");
    second.mirror.setOnline(true);
    await fake.opened(2);
    expect(fake.latest.request.spaces[0]).toEqual({ spaceId: SPACE, since: stamp(10), page: 50 });
  });

  test("stopping every tab closes the stream; one tab starting opens it again", async () => {
    const { fake, openTab } = browser();
    const first = openTab();
    const second = openTab();
    await fake.opened(1);
    first.mirror.stop();
    await settle();
    expect(fake.latest.signal.aborted).toBe(false);
    second.mirror.stop();
    await settle();
    expect(fake.latest.signal.aborted).toBe(true);
    first.mirror.start();
    await fake.opened(2);
  });

  test("a space followed after the copy was read paints from it at once too", async () => {
    const { copy, openTab } = browser();
    copy.saved.set(OTHER_SPACE, { cursor: stamp(21), window: [at(OTHER_SPACE, 21)] });
    const { mirror } = openTab([{ spaceId: SPACE, page: 50 }]);
    await mirror.ready;
    mirror.follow(OTHER_SPACE, { page: 1 });
    expect(contents(mirror, OTHER_SPACE)).toEqual(["#21"]);
  });

  test("a history page loaded in one tab reaches the others", async () => {
    const { fake, openTab } = browser();
    const first = openTab();
    const second = openTab();
    await fake.opened(1);
    firstFrames(fake);
    await settle();
    const epoch = second.mirror.space(SPACE)?.epoch ?? -1;
    expect(second.mirror.mergeHistory(SPACE, [at(SPACE, 5)], epoch)).toEqual({
      kind: "merged",
      added: 1,
    });
    expect(contents(second.mirror, SPACE)).toEqual(["#5", "#10"]);
    await settle();
    expect(contents(first.mirror, SPACE)).toEqual(["#5", "#10"]);
  });
});
