import { describe, expect, test } from "bun:test";
import { AUTHOR, channelRig } from "../testing/sync.ts";

/** A post through this process, as the intentions service reports it to the channel. */
function post(
  rig: ReturnType<typeof channelRig>,
  content: string,
  { notifyFirst }: { notifyFirst: boolean },
) {
  const { source, channel } = rig;
  const previous = source.head;
  const ended = channel.writing();
  const change = source.create(AUTHOR, content);
  if (notifyFirst) channel.notify(); // the notification may overtake the statement's result
  channel.committed({ previous, change });
  ended();
  if (!notifyFirst) channel.notify();
}

describe("SpaceChannel, posts made through this process", () => {
  test("a post right after what the channel has read is sent without a read, whichever of its result and its notification comes first", async () => {
    for (const notifyFirst of [true, false]) {
      const rig = channelRig({ batchMs: 1000, batchAudience: 1000, heartbeatMs: 60_000 });
      const client = await rig.join();
      const reads = rig.source.reads;
      post(rig, "hello", { notifyFirst });
      await rig.settle();
      expect(client.events.map((e) => e.created.map((i) => i.content))).toEqual([[], ["hello"]]);
      expect(rig.source.reads).toBe(reads);
      expect(rig.metrics.localSends).toBe(1);
      // Its notification is read once the window ends: it finds nothing new to send.
      rig.clock.advance(1000);
      await rig.settle();
      expect(rig.source.reads).toBe(reads + 1);
      expect(client.events).toHaveLength(2);
      expect(rig.source.isCaughtUp(client.state)).toBe(true);
    }
  });

  test("a post whose predecessor the channel has not read waits for the read that brings both, in order", async () => {
    const rig = channelRig({ batchMs: 1000, batchAudience: 1000, heartbeatMs: 60_000 });
    const client = await rig.join();
    rig.source.create(AUTHOR, "from another instance"); // its notification is on its way
    post(rig, "mine", { notifyFirst: false });
    await rig.settle();
    rig.clock.advance(1000);
    await rig.settle();
    const received = client.events.flatMap((e) => e.created.map((i) => i.content));
    expect(received).toEqual(["from another instance", "mine"]);
    expect(rig.metrics.localSends).toBe(0);
    expect(rig.source.isCaughtUp(client.state)).toBe(true);
  });

  test("a notification held for a post in flight goes on after 50 ms if the post never returns", async () => {
    const rig = channelRig({ batchMs: 1000, batchAudience: 1000, heartbeatMs: 60_000 });
    const client = await rig.join();
    rig.channel.writing(); // a post that hangs
    rig.source.create(AUTHOR, "from another instance");
    rig.channel.notify();
    await rig.settle();
    expect(client.events).toHaveLength(1);
    rig.clock.advance(50);
    await rig.settle();
    expect(client.events.at(-1)?.created.map((i) => i.content)).toEqual(["from another instance"]);
  });
});

describe("SpaceChannel, the window after a post sent without a read", () => {
  test("its own notification, read at the window's end, does not hold the next post for another window", async () => {
    // The full window, whatever the audience: the next post comes 1 ms after it.
    const rig = channelRig({ batchMs: 1000, batchAudience: 1, heartbeatMs: 60_000 });
    const client = await rig.join();
    post(rig, "first", { notifyFirst: false });
    await rig.settle();
    rig.clock.advance(1000); // the window ends: its read finds nothing new
    await rig.settle();
    rig.clock.advance(1);
    post(rig, "second", { notifyFirst: false });
    await rig.settle();
    const received = client.events.map((e) => e.created.map((i) => i.content));
    expect(received).toEqual([[], ["first"], ["second"]]);
    expect(rig.metrics.localSends).toBe(2);
    expect(rig.source.isCaughtUp(client.state)).toBe(true);
  });
});
