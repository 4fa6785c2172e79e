import type { ServerProcess } from "@rhizome/testkit";
import { Flood } from "./flood.ts";
import { Api } from "./http.ts";
import type { Ledger } from "./ledger.ts";
import { StalledSubscriber, slowConsumerCutoffs } from "./stall.ts";

/** Loopback kernel buffers hold about 4 MB of an unread stream; read again after this much. */
const PROBE_EVERY_BYTES = 5 * 1024 * 1024;

export type StallResult = {
  /** Reading again after a cutoff was counted, the stalled socket saw the server end it. */
  ended: boolean;
  /** The server stopped sending to the stalled socket but never closed it. */
  leftOpen: boolean;
  /** The server had closed the connection before the stalled socket read again. */
  closedUnread: boolean;
  /** Slow-consumer cutoffs the anchor counted during the flood (the stalled one included). */
  cutoffs: number;
  floodBytes: number;
  floodWrites: number;
  floodRetries: number;
  seconds: number;
  error?: string;
};

export type StallSetup = {
  anchor: ServerProcess;
  spaceId: string;
  /** The stalled reader's session. */
  readerToken: string;
  /** The flood writer's session (a member of the space). */
  floodToken: string;
  ledger: Ledger;
  floodWriter: number;
  /** Stop flooding after this much content if no cutoff came. */
  maxBytes: number;
};

/**
 * One subscriber of the space stops reading, on the anchor server; a flood of big writes
 * then fills its buffers. The server must cut it off (SYNC_MAX_BUFFER_BYTES) while the
 * audited subscribers of the same space carry on.
 */
export class StalledRun {
  #flood: Flood | undefined;
  #done: Promise<StallResult> | undefined;

  constructor(private readonly setup: StallSetup) {}

  start(): void {
    this.#done ??= this.#run().catch((error) => ({
      ended: false,
      leftOpen: false,
      closedUnread: false,
      cutoffs: 0,
      floodBytes: this.#flood?.bytes ?? 0,
      floodWrites: this.#flood?.writes ?? 0,
      floodRetries: this.#flood?.retries ?? 0,
      seconds: 0,
      error: String(error),
    }));
  }

  get started(): boolean {
    return this.#done !== undefined;
  }

  /** Gives up on the flood's writes in flight. */
  abandon(): void {
    this.#flood?.abandon();
  }

  result(): Promise<StallResult> | undefined {
    return this.#done;
  }

  async #run(): Promise<StallResult> {
    const { anchor, spaceId, readerToken, floodToken, ledger, floodWriter, maxBytes } = this.setup;
    const began = performance.now();
    const pid = anchor.pid;
    const stalled = await StalledSubscriber.open(anchor.port, spaceId, readerToken);
    const flood = new Flood({
      api: new Api(anchor.url, floodToken),
      spaceId,
      ledger,
      writer: floodWriter,
      intentions: 100,
      concurrency: 4,
      maxBytes,
    });
    this.#flood = flood;
    let ended = false;
    let leftOpen = false;
    let closedUnread = false;
    let flooding = true;
    const flow = flood
      .run(() => ended || leftOpen)
      .finally(() => {
        flooding = false;
      });
    // Kernel buffers take a few megabytes before the server's own queue fills. Each time the
    // flood has sent enough to fill both, read again: a live stream keeps flowing, a cut-off
    // one ends (or, the bug this looks for, falls silent without ending).
    const baseline = (await slowConsumerCutoffs(anchor.url)) ?? 0;
    let probedAt = 0;
    const look = async () => {
      probedAt = flood.bytes;
      closedUnread = await stalled.closedByServer();
      const seen = await stalled.probe(3_000, 2_500);
      ended = seen === "ended";
      leftOpen = seen === "silent";
    };
    while (flooding && !ended && !leftOpen) {
      await Bun.sleep(200);
      if (flood.bytes - probedAt >= PROBE_EVERY_BYTES) await look();
    }
    if (!ended && !leftOpen) await look();
    const cutoffs = ((await slowConsumerCutoffs(anchor.url)) ?? baseline) - baseline;
    await flow;
    stalled.destroy();
    // A crash closes the connection too: that is no cutoff.
    const error = anchor.pid === pid ? undefined : "its server exited meanwhile: inconclusive";
    return {
      ...(error ? { error } : {}),
      ended,
      leftOpen,
      closedUnread,
      cutoffs,
      floodBytes: flood.bytes,
      floodWrites: flood.writes,
      floodRetries: flood.retries,
      seconds: (performance.now() - began) / 1000,
    };
  }
}
