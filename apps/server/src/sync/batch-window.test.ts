import { describe, expect, test } from "bun:test";
import { ManualClock } from "@rhizome/client/testing";
import { BatchWindow, windowMs } from "./batch-window.ts";

/** The adaptive window (docs/PROTOCOL.md, "Live deltas and batching"), with hand-driven timers. */
describe("the batch window adapts to the audience", () => {
  const settings = { batchMs: 1000, maxBatch: 100, batchAudience: 5000 };

  /** A burst of `changes` announced at one instant; flush times (ms after it) of each flush. */
  function burst(audience: number, changes: number): number[] {
    const clock = new ManualClock();
    const start = clock.now;
    const flushes: number[] = [];
    const window = new BatchWindow(
      clock.timers,
      settings,
      () => {
        flushes.push(clock.now - start);
        window.take();
      },
      () => audience,
    );
    for (let n = 0; n < changes; n++) window.announce();
    clock.advance(5000);
    return flushes;
  }

  test("two subscribers (a conversation) get every change of a burst at once", () => {
    expect(windowMs(settings, 2)).toBeCloseTo(0.4);
    // None yet counts as one: never a window of zero, which would re-arm at once.
    expect(windowMs(settings, 0)).toBeCloseTo(0.2);
    // The leading edge at once, the rest at the end of a 0.4 ms window: within a millisecond.
    const flushes = burst(2, 10);
    expect(flushes[0]).toBe(0);
    expect(flushes.every((at) => at <= 1)).toBe(true);
  });

  test("5,000 subscribers (a crowd) get the full window", () => {
    expect(windowMs(settings, 5000)).toBe(1000);
    expect(windowMs(settings, 50_000)).toBe(1000);
    expect(burst(5000, 10)).toEqual([0, 1000]);
  });

  test("1,000 subscribers get a fifth of it", () => {
    expect(windowMs(settings, 1000)).toBe(200);
    expect(burst(1000, 10)).toEqual([0, 200]);
  });

  test("SYNC_BATCH_AUDIENCE=1 gives every space the full window; a full batch still goes at once", () => {
    const full = { ...settings, batchAudience: 1 };
    expect(windowMs(full, 1)).toBe(1000);
    expect(windowMs(full, 2)).toBe(1000);
    expect(burst(5000, 250)).toEqual([0, 0, 0, 1000]);
  });
});
