import { Histogram } from "prom-client";

/** Seconds, from a tenth of a millisecond to ten seconds. */
const DURATION_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/**
 * Counters of the sync engine: plain fields on the hot path, read at scrape time by the
 * registry of features/health/registry.ts. The histograms are registered there too.
 */
export class SyncMetrics {
  openStreams = 0;
  framesSent = 0;
  bytesSent = 0;
  catchupsFromRing = 0;
  catchupsFromDb = 0;
  resets = 0;
  heartbeats = 0;
  flushes = 0;
  /** Posts of this process sent without a read (SpaceChannel's `committed`). */
  localSends = 0;
  flushSeconds = 0;
  slowConsumerCutoffs = 0;
  listenerReconnects = 0;
  dbQueries = 0;
  activeSpaces = 0;

  /** Flushes that carried changes, read to broadcast. */
  readonly flushDuration = new Histogram({
    name: "rhizome_flush_duration_seconds",
    help: "Time of a flush that carried changes, from its read to its broadcast",
    buckets: DURATION_BUCKETS,
    registers: [],
  });
  /** One first-frame computation, shared by the joiners resuming from one cursor. */
  readonly firstFrameDuration = new Histogram({
    name: "rhizome_first_frame_duration_seconds",
    help: "Time to compute a first frame (catch-up or reset) for the joiners from one cursor",
    buckets: DURATION_BUCKETS,
    registers: [],
  });

  recordFrame(bytes: number, recipients: number): void {
    this.framesSent += recipients;
    this.bytesSent += bytes * recipients;
  }

  recordFlush(seconds: number): void {
    this.flushes++;
    this.flushSeconds += seconds;
    this.flushDuration.observe(seconds);
  }
}
