import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { SyncMetrics } from "../../sync/metrics.ts";

type Reading = { name: string; help: string; read: (metrics: SyncMetrics) => number };

const GAUGES: Reading[] = [
  {
    name: "rhizome_open_streams",
    help: "SSE streams open in this process",
    read: (m) => m.openStreams,
  },
  {
    name: "rhizome_active_spaces",
    help: "Spaces with a live channel",
    read: (m) => m.activeSpaces,
  },
];

const COUNTERS: Reading[] = [
  {
    name: "rhizome_frames_sent_total",
    help: "Frames written to subscribers",
    read: (m) => m.framesSent,
  },
  {
    name: "rhizome_bytes_sent_total",
    help: "Frame bytes written to subscribers",
    read: (m) => m.bytesSent,
  },
  {
    name: "rhizome_heartbeats_total",
    help: "Heartbeat frames broadcast",
    read: (m) => m.heartbeats,
  },
  {
    name: "rhizome_catchups_ring_total",
    help: "Resumes served from memory",
    read: (m) => m.catchupsFromRing,
  },
  {
    name: "rhizome_catchups_db_total",
    help: "Resumes that queried the database",
    read: (m) => m.catchupsFromDb,
  },
  { name: "rhizome_resets_total", help: "Reset frames built", read: (m) => m.resets },
  {
    name: "rhizome_flushes_total",
    help: "Space flushes that carried changes",
    read: (m) => m.flushes,
  },
  {
    name: "rhizome_local_sends_total",
    help: "Posts sent by the instance that wrote them, without a read",
    read: (m) => m.localSends,
  },
  {
    name: "rhizome_flush_seconds_total",
    help: "Time spent in flushes",
    read: (m) => m.flushSeconds,
  },
  {
    name: "rhizome_slow_consumer_cutoffs_total",
    help: "Streams cut for not reading",
    read: (m) => m.slowConsumerCutoffs,
  },
  {
    name: "rhizome_listener_reconnects_total",
    help: "LISTEN connection re-established",
    read: (m) => m.listenerReconnects,
  },
  {
    name: "rhizome_sync_db_queries_total",
    help: "Queries issued by the sync engine",
    read: (m) => m.dbQueries,
  },
];

/** How often the event loop's lag is sampled (prom-client's `eventLoopMonitoringPrecision`). */
export const LOOP_LAG_SAMPLE_MS = 100;

/**
 * One app's Prometheus registry (never the global one, so that apps in one process do not
 * clash): the process metrics, the sync engine's histograms, and its plain counters, read
 * only when /metrics is scraped.
 */
export function metricsRegistry(metrics: SyncMetrics): Registry {
  const registry = new Registry();
  // The loop-lag histogram samples with a timer: at prom-client's default 10 ms it woke an
  // idle server 100 times a second (~1.5 ms of CPU a second per process); 100 ms still
  // catches every stall long enough to matter to a stream.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: LOOP_LAG_SAMPLE_MS });
  for (const { name, help, read } of GAUGES) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(metrics));
      },
    });
  }
  for (const { name, help, read } of COUNTERS) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read(metrics));
      },
    });
  }
  registry.registerMetric(metrics.flushDuration);
  registry.registerMetric(metrics.firstFrameDuration);
  return registry;
}
