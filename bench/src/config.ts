import type { CatchupSizes } from "./scenarios/catchup.ts";
import type { FanoutSizes } from "./scenarios/fanout.ts";
import type { MultiSizes } from "./scenarios/multi.ts";
import type { StormSizes } from "./scenarios/storm.ts";
import type { WriteSizes } from "./scenarios/writes.ts";

export type Sizes = {
  mode: "quick" | "full";
  workers: number;
  fanout: FanoutSizes;
  /** Subscriber count of the p99, CPU and bytes targets (present in both modes). */
  targetTier: number;
  /** Streams one process holds at once (the storm's subscribers plus bystanders). */
  capacity: number;
  catchup: CatchupSizes;
  storm: StormSizes;
  writes: WriteSizes;
  /** Multi-space streams held by one process (RSS per followed position). */
  multi: MultiSizes;
};

/** Our batch window is SYNC_BATCH_MS (1000 by default): a lone message waits out the last one. */
const LONE_SPACING_MS = 1100;

export function sizesFor(quick: boolean): Sizes {
  if (quick) {
    return {
      mode: "quick",
      workers: 2,
      targetTier: 5000,
      fanout: {
        tiers: [1000, 5000],
        fullArrayTiers: [1000],
        history: 500,
        phases: [
          { name: "lone", schedule: { kind: "lone", count: 5, spacingMs: LONE_SPACING_MS } },
          { name: "steady", schedule: { kind: "steady", count: 30, perSecond: 20 } },
          { name: "burst", schedule: { kind: "burst", count: 100, concurrency: 10 } },
        ],
      },
      capacity: 10_000,
      catchup: { sizes: [1e3, 1e4, 1e5], missed: 50, repeats: 15, fullRepeats: 2 },
      storm: { subscribers: 5000, spaces: 10, missed: 3 },
      writes: { spaces: [1, 10, 100], concurrency: 64, seconds: 1.5 },
      multi: { streams: 500, spacesPerStream: 50, pool: 250, history: 3, page: 1, posted: 5 },
    };
  }
  return {
    mode: "full",
    workers: 2,
    targetTier: 5000,
    fanout: {
      tiers: [1000, 5000, 10_000],
      fullArrayTiers: [1000, 5000],
      history: 500,
      phases: [
        { name: "lone", schedule: { kind: "lone", count: 20, spacingMs: LONE_SPACING_MS } },
        { name: "steady", schedule: { kind: "steady", count: 100, perSecond: 20 } },
        { name: "burst", schedule: { kind: "burst", count: 200, concurrency: 10 } },
      ],
    },
    capacity: 10_000,
    catchup: { sizes: [1e3, 1e4, 1e5, 1e6], missed: 50, repeats: 25, fullRepeats: 3 },
    storm: { subscribers: 5000, spaces: 10, missed: 3 },
    writes: { spaces: [1, 10, 100], concurrency: 64, seconds: 5 },
    multi: { streams: 2000, spacesPerStream: 50, pool: 1000, history: 3, page: 1, posted: 5 },
  };
}

/**
 * The full-array design moves ~160 KB per change to every client: only its lone phase
 * runs (a steady rate or a burst would queue gigabytes and measure the backlog, not it).
 */
export const FULL_ARRAY_PHASES = ["lone"];
