import { describe, expect, test } from "bun:test";
import { stamp } from "@rhizome/protocol/testing";
import { ManualClock } from "../../../../../packages/client/src/testing/fake-transport.ts";
import { FakeChannelHub } from "../testing/messenger-fakes.ts";
import { ReadChannel, ReadMarkers, type ReadNews } from "./read-markers.ts";

const A = "00000000-0000-4000-8000-000000000001";
const B = "00000000-0000-4000-8000-000000000002";
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(answer: () => Promise<void> = async () => {}) {
  const clock = new ManualClock();
  const puts: [string, string][] = [];
  const markers = new ReadMarkers({
    put: async (spaceId, cursor) => {
      puts.push([spaceId, cursor]);
      await answer();
    },
    timers: clock.timers,
    delayMs: 1000,
    retryMs: 10_000,
  });
  return { clock, puts, markers };
}

describe("ReadMarkers", () => {
  test("reads within the pause are one PUT per space, with the furthest cursor", () => {
    const { clock, puts, markers } = setup();
    markers.mark(A, stamp(1));
    markers.mark(A, stamp(3));
    markers.mark(A, stamp(2));
    markers.mark(B, stamp(7));
    clock.advance(999);
    expect(puts).toEqual([]);
    clock.advance(1);
    expect(puts).toEqual([
      [A, stamp(3)],
      [B, stamp(7)],
    ]);
    // Never back, never the same again.
    markers.mark(A, stamp(3));
    markers.mark(A, stamp(1));
    clock.advance(5000);
    expect(puts.length).toBe(2);
  });

  test("a PUT that found no network is tried again later; a refusal is not", async () => {
    let failure: unknown = new Error("offline");
    const { clock, puts, markers } = setup(async () => {
      if (failure) throw failure;
    });
    markers.mark(A, stamp(1));
    clock.advance(1000);
    await settle();
    clock.advance(9_999);
    expect(puts.length).toBe(1);
    failure = Object.assign(new Error("not a member"), { status: 404 });
    clock.advance(1);
    expect(puts.length).toBe(2);
    await settle();
    clock.advance(60_000);
    expect(puts.length).toBe(2);
  });

  test("flush sends what waits at once (the tab is going away)", () => {
    const { clock, puts, markers } = setup();
    markers.mark(A, stamp(4));
    markers.flush();
    expect(puts).toEqual([[A, stamp(4)]]);
    expect(clock.pending).toBe(0);
  });
});

describe("ReadChannel", () => {
  test("tells the other tabs, not itself; ignores what is not read news", () => {
    const hub = new FakeChannelHub();
    const heard: ReadNews[][] = [[], []];
    const here = new ReadChannel(hub.port(), (news) => heard[0]?.push(news));
    const there = new ReadChannel(hub.port(), (news) => heard[1]?.push(news));
    here.announce({ spaceId: A, cursor: stamp(2) });
    hub.port().postMessage({ spaceId: 3 });
    expect(heard).toEqual([[], [{ spaceId: A, cursor: stamp(2) }]]);
    there.close();
    here.announce({ spaceId: A, cursor: stamp(3) });
    expect(heard[1]?.length).toBe(1);
  });
});
