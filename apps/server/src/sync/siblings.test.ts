import { describe, expect, test } from "bun:test";
import { ManualClock } from "@rhizome/client/testing";
import { AUTHOR, channelRig, SPACE } from "../testing/sync.ts";
import { SIBLING_POST_MAX_MS, type SiblingLink, siblingWriteHooks } from "./siblings.ts";
import type { WriteHooks } from "./source.ts";

/** Two processes' links, each hearing what the other tells, at once and in order. */
function linkedPair(): [SiblingLink, SiblingLink] {
  const handlers: [(m: never) => void, (m: never) => void] = [() => {}, () => {}];
  const link = (me: 0 | 1): SiblingLink => ({
    tell: (message) => handlers[me === 0 ? 1 : 0](message as never),
    hear: (handler) => {
      handlers[me] = handler;
    },
  });
  return [link(0), link(1)];
}

/** A fan-out that records what it is told; `ends` says which post (by order) ended. */
function recordingFanout() {
  const calls: string[] = [];
  let posts = 0;
  const fanout: WriteHooks = {
    writing: (spaceId) => {
      const post = posts++;
      calls.push(`writing ${spaceId} #${post}`);
      return () => calls.push(`ended ${spaceId} #${post}`);
    },
    stored: (spaceId, local) => calls.push(`stored ${spaceId} ${local?.change.content}`),
    committed: (spaceId, local) => calls.push(`committed ${spaceId} ${local?.change.content}`),
  };
  return { fanout, calls };
}

const NOTHING_HERE: WriteHooks = { writing: () => () => {}, stored: () => {}, committed: () => {} };

describe("a post told to the other processes of the instance", () => {
  test("reaches their subscribers without a read: their notification waits for it as for their own posts", async () => {
    const rig = channelRig({ batchMs: 1000, batchAudience: 1000, heartbeatMs: 60_000 });
    const client = await rig.join();
    const [writer, reader] = linkedPair();
    const channelHooks: WriteHooks = {
      writing: () => rig.channel.writing(),
      stored: () => {},
      committed: (_, local) => rig.channel.committed(local),
    };
    siblingWriteHooks(channelHooks, reader, 0, rig.clock.timers);
    // The writing process has no subscriber of the space.
    const hooks = siblingWriteHooks(NOTHING_HERE, writer, 1, rig.clock.timers);
    const reads = rig.source.reads;
    const previous = rig.source.head;
    const ended = hooks.writing(SPACE);
    const change = rig.source.create(AUTHOR, "from the other process");
    rig.channel.notify(); // its notification arrives before the writer's word
    await rig.settle();
    expect(client.events).toHaveLength(1);
    hooks.stored(SPACE, { previous, change });
    hooks.committed(SPACE, { previous, change });
    ended();
    await rig.settle();
    const received = client.events.map((event) => event.created.map((i) => i.content));
    expect(received).toEqual([[], ["from the other process"]]);
    expect(rig.source.reads).toBe(reads);
    expect(rig.metrics.localSends).toBe(1);
    rig.clock.advance(1000); // the held notification is read at the window's end: nothing new
    await rig.settle();
    expect(client.events).toHaveLength(2);
    expect(rig.source.isCaughtUp(client.state)).toBe(true);
  });

  test("is told as it happens, the change as soon as it is stored, and ended once", () => {
    const [writer, reader] = linkedPair();
    const heard: unknown[] = [];
    reader.hear((message) => heard.push(message));
    const here = recordingFanout();
    const hooks = siblingWriteHooks(here.fanout, writer, 3);
    const ended = hooks.writing("s1");
    const change = { content: "hi" } as never;
    hooks.stored("s1", { previous: "p", change });
    // The others hear of it before this process answers its writer and hands it over.
    expect(heard).toHaveLength(2);
    hooks.committed("s1", { previous: "p", change });
    ended();
    ended();
    hooks.stored("s2"); // an edit: no post, no local change
    hooks.committed("s2");
    expect(here.calls).toEqual([
      "writing s1 #0",
      "stored s1 hi",
      "committed s1 hi",
      "ended s1 #0",
      "stored s2 undefined",
      "committed s2 undefined",
    ]);
    expect(heard).toEqual([
      { kind: "sibling-write", origin: 3, spaceId: "s1", event: "writing" },
      {
        kind: "sibling-write",
        origin: 3,
        spaceId: "s1",
        event: "committed",
        local: { previous: "p", change },
      },
      { kind: "sibling-write", origin: 3, spaceId: "s1", event: "ended" },
      { kind: "sibling-write", origin: 3, spaceId: "s2", event: "committed", local: undefined },
    ]);
  });

  test("ends, where it is heard, the oldest post of its own process in its space", () => {
    const clock = new ManualClock();
    const [link, hub] = linkedPair();
    const there = recordingFanout();
    siblingWriteHooks(there.fanout, hub, 0, clock.timers);
    const tell = (origin: number, spaceId: string, event: "writing" | "ended") =>
      link.tell({ kind: "sibling-write", origin, spaceId, event });
    tell(1, "s1", "writing"); // #0
    tell(2, "s1", "writing"); // #1: another process, same space
    tell(1, "s2", "writing"); // #2: same process, another space
    tell(1, "s1", "writing"); // #3
    tell(2, "s1", "ended");
    tell(1, "s1", "ended");
    tell(1, "s1", "ended");
    tell(1, "s1", "ended"); // nothing left in flight there: ignored
    expect(there.calls.filter((call) => call.startsWith("ended"))).toEqual([
      "ended s1 #1",
      "ended s1 #0",
      "ended s1 #3",
    ]);
  });

  test("that never ends (its process died) stops holding notifications after a while", () => {
    const clock = new ManualClock();
    const [link, hub] = linkedPair();
    const there = recordingFanout();
    siblingWriteHooks(there.fanout, hub, 0, clock.timers);
    link.tell({ kind: "sibling-write", origin: 1, spaceId: "s1", event: "writing" });
    clock.advance(SIBLING_POST_MAX_MS - 1);
    expect(there.calls).toEqual(["writing s1 #0"]);
    clock.advance(1);
    expect(there.calls).toEqual(["writing s1 #0", "ended s1 #0"]);
    // Its end, if it comes after all, ends nothing else.
    link.tell({ kind: "sibling-write", origin: 1, spaceId: "s1", event: "ended" });
    expect(there.calls).toHaveLength(2);
  });
});
