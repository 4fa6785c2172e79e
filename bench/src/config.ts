import type { CatchupSizes } from "./scenarios/catchup.ts";
import type { ConversationSizes } from "./scenarios/conversation.ts";
import type { FanoutSizes } from "./scenarios/fanout.ts";
import type { MultiSizes } from "./scenarios/multi.ts";
import type { ReloadSizes } from "./scenarios/reload.ts";
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
  conversation: ConversationSizes;
  reload: ReloadSizes;
};

/**
 * Our server's batch settings in the bench: its defaults (SERVER_ENV leaves them alone),
 * SYNC_BATCH_MS and SYNC_BATCH_AUDIENCE. The steady-phase target needs the window they give.
 */
export const OUR_BATCH = { batchMs: 1000, batchAudience: 5000 };

/** 2,000 clients following 20–50 spaces each, every space followed by ~100 of them. */
const MULTI: MultiSizes = {
  streams: 2000,
  spacesPerStream: 20,
  maxSpacesPerStream: 50,
  pool: 700,
  history: 3,
  page: 1,
  posted: 5,
};

/** A page reload: 30 spaces of more history than a reset page, one message missed. */
const RELOAD: ReloadSizes = { clients: 20, spaces: 30, history: 100 };

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
          // 20, as in full mode: the p99 of 10 lone messages is little more than the worst one's.
          { name: "lone", schedule: { kind: "lone", count: 20, spacingMs: LONE_SPACING_MS } },
          { name: "steady", schedule: { kind: "steady", count: 30, perSecond: 20 } },
          { name: "burst", schedule: { kind: "burst", count: 100, concurrency: 10 } },
        ],
      },
      capacity: 10_000,
      catchup: { sizes: [1e3, 1e4, 1e5], missed: 50, repeats: 15, fullRepeats: 2 },
      storm: { subscribers: 5000, spaces: 10, missed: 3 },
      writes: { spaces: [1, 10, 100], concurrency: 64, seconds: 1, passes: 3 },
      multi: MULTI,
      conversation: {
        subscribers: 10,
        writers: 2,
        turnMs: 300,
        messages: 40,
        history: 50,
        warmupTurns: 20,
      },
      reload: RELOAD,
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
    writes: { spaces: [1, 10, 100], concurrency: 64, seconds: 3, passes: 3 },
    multi: MULTI,
    conversation: {
      subscribers: 10,
      writers: 2,
      turnMs: 300,
      messages: 100,
      history: 50,
      warmupTurns: 20,
    },
    reload: RELOAD,
  };
}

/**
 * The full-array design moves ~160 KB per change to every client: only its lone phase
 * runs (a steady rate or a burst would queue gigabytes and measure the backlog, not it).
 */
export const FULL_ARRAY_PHASES = ["lone"];
