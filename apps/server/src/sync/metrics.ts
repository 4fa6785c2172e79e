/** Counters of the sync engine, exposed at /metrics in Prometheus' text format. */
export class SyncMetrics {
  openStreams = 0;
  framesSent = 0;
  bytesSent = 0;
  deliveries = 0;
  catchupsFromRing = 0;
  catchupsFromDb = 0;
  resets = 0;
  heartbeats = 0;
  flushes = 0;
  flushSeconds = 0;
  slowConsumerCutoffs = 0;
  listenerReconnects = 0;
  dbQueries = 0;
  activeSpaces = 0;

  recordFrame(bytes: number, recipients: number): void {
    this.framesSent += recipients;
    this.deliveries += recipients;
    this.bytesSent += bytes * recipients;
  }

  render(): string {
    const lines: string[] = [];
    const metric = (name: string, type: "counter" | "gauge", help: string, value: number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
    };
    metric("rhizome_open_streams", "gauge", "SSE streams open in this process", this.openStreams);
    metric("rhizome_active_spaces", "gauge", "Spaces with a live channel", this.activeSpaces);
    metric(
      "rhizome_frames_sent_total",
      "counter",
      "Frames written to subscribers",
      this.framesSent,
    );
    metric(
      "rhizome_bytes_sent_total",
      "counter",
      "Frame bytes written to subscribers",
      this.bytesSent,
    );
    metric("rhizome_heartbeats_total", "counter", "Heartbeat frames broadcast", this.heartbeats);
    metric(
      "rhizome_catchups_ring_total",
      "counter",
      "Resumes served from memory",
      this.catchupsFromRing,
    );
    metric(
      "rhizome_catchups_db_total",
      "counter",
      "Resumes that queried the database",
      this.catchupsFromDb,
    );
    metric("rhizome_resets_total", "counter", "Reset frames built", this.resets);
    metric("rhizome_flushes_total", "counter", "Space flushes that carried changes", this.flushes);
    metric("rhizome_flush_seconds_total", "counter", "Time spent in flushes", this.flushSeconds);
    metric(
      "rhizome_slow_consumer_cutoffs_total",
      "counter",
      "Streams cut for not reading",
      this.slowConsumerCutoffs,
    );
    metric(
      "rhizome_listener_reconnects_total",
      "counter",
      "LISTEN connection re-established",
      this.listenerReconnects,
    );
    metric(
      "rhizome_sync_db_queries_total",
      "counter",
      "Queries issued by the sync engine",
      this.dbQueries,
    );
    return `${lines.join("\n")}\n`;
  }
}
