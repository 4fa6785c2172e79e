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

describe("a window whose trailing flush sends nothing", () => {
  const settings = { batchMs: 1000, maxBatch: 100, batchAudience: 1 };

  /** A window whose flushes report what they found: `found()` answers each in turn. */
  function rig(found: () => boolean) {
    const clock = new ManualClock();
    const start = clock.now;
    const flushes: number[] = [];
    const window: BatchWindow = new BatchWindow(clock.timers, settings, () => {
      flushes.push(clock.now - start);
      window.take();
      if (found()) window.sent();
      else window.quiet();
    });
    return { clock, flushes, window };
  }

  test("closes: the next change leads instead of waiting out a window after a quiet one", () => {
    // The first flush sends the change; the trailing one reads only that change's own
    // notification again, and finds nothing.
    const answers = [true, false, true];
    const { clock, flushes, window } = rig(() => answers.shift() ?? true);
    window.announce();
    window.announce(); // the same change's notification, arriving within the window
    clock.advance(1000);
    expect(flushes).toEqual([0, 1000]);
    expect(window.open).toBe(false);
    clock.advance(1);
    window.announce();
    expect(flushes).toEqual([0, 1000, 1001]);
  });

  test("stays open when it sent a frame, so frames stay a window apart", () => {
    const { clock, flushes, window } = rig(() => true);
    window.announce();
    window.announce();
    clock.advance(1000);
    expect(window.open).toBe(true);
    clock.advance(1);
    window.announce();
    clock.advance(5000);
    expect(flushes).toEqual([0, 1000, 2000]);
  });

  test("a window a frame opened ignores an empty flush: a join's read must not cut it short", () => {
    const { clock, flushes, window } = rig(() => true);
    window.announce();
    window.quiet(); // another flush (a joiner's) found nothing
    expect(window.open).toBe(true);
    window.announce();
    clock.advance(1000);
    expect(flushes).toEqual([0, 1000]);
  });
});
