import type { ServerProcess } from "@rhizome/testkit";
import { Flood } from "./flood.ts";
import { Api } from "./http.ts";
import type { Ledger } from "./ledger.ts";
import { StalledSubscriber, slowConsumerCutoffs } from "./stall.ts";

/** How often the anchor's cutoff counter and the kernel's view of the stalled socket are read. */
const WATCH_EVERY_MS = 100;
/**
 * How long after its cutoff the stalled socket, still unread, is watched for the server to
 * close it. The server gives a cut-off connection a 2 s idle timeout (Bun's timers tick in
 * steps of a few seconds), so a close must come well within this.
 */
const CLOSE_WATCH_MS = 10_000;

export type StallResult = {
  /** Reading again after a cutoff was counted, the stalled socket saw the server end it. */
  ended: boolean;
  /** The server stopped sending to the stalled socket but never closed it. */
  leftOpen: boolean;
  /**
   * After the cutoff was counted, how long the server took to close the connection while
   * the socket was still unread; undefined when it did not within `closeWatchMs`.
   */
  closedUnreadAfterMs: number | undefined;
  closeWatchMs: number;
  /** Slow-consumer cutoffs the anchor counted during the flood (the stalled one included). */
  cutoffs: number;
  /** Flood content sent when the cutoff was counted (or when the flood ended without one). */
  floodBytes: number;
  floodWrites: number;
  floodRetries: number;
  /** From the stall's start to the cutoff (or to the end of the flood without one). */
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
      closedUnreadAfterMs: undefined,
      closeWatchMs: CLOSE_WATCH_MS,
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

  /**
   * The stalled socket is never read until the server has counted a cutoff: reading early
   * drains the buffers before the server feels any pressure, and lets the kernel grow the
   * socket's receive buffer (autotuning, up to tens of megabytes), after which the flood
   * may never fill it again. Then, still without reading, it watches whether the server
   * closes the connection; only then does it read, to see the stream end.
   */
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
    let cut = false;
    let flooding = true;
    const flow = flood
      .run(() => cut)
      .finally(() => {
        flooding = false;
      });
    const counted = async () => (await slowConsumerCutoffs(anchor.url)) ?? 0;
    const baseline = await counted();
    // Not reading: wait for the cutoff (the flood stops there), or for the flood to run out.
    let cutAt: number | undefined;
    while (cutAt === undefined && flooding) {
      await Bun.sleep(WATCH_EVERY_MS);
      if ((await counted()) > baseline || (await stalled.closedByServer())) {
        cutAt = performance.now();
        cut = true;
      }
    }
    const cutoffs = (await counted()) - baseline;
    const seconds = ((cutAt ?? performance.now()) - began) / 1000;
    const floodBytes = flood.bytes;
    const floodWrites = flood.writes;
    // Still not reading: does the server close the connection by itself?
    let closedUnreadAfterMs: number | undefined;
    while (cutAt !== undefined && performance.now() - cutAt < CLOSE_WATCH_MS) {
      if (await stalled.closedByServer()) {
        closedUnreadAfterMs = performance.now() - cutAt;
        break;
      }
      await Bun.sleep(WATCH_EVERY_MS);
    }
    // Reading again: a cut-off stream ends; a live one flows; one that does neither is silent.
    const seen = await stalled.probe(3_000, 2_500);
    await flow;
    stalled.destroy();
    // A crash closes the connection too: that is no cutoff.
    const error = anchor.pid === pid ? undefined : "its server exited meanwhile: inconclusive";
    return {
      ...(error ? { error } : {}),
      ended: seen === "ended",
      leftOpen: seen === "silent",
      closedUnreadAfterMs,
      closeWatchMs: CLOSE_WATCH_MS,
      cutoffs,
      floodBytes,
      floodWrites,
      floodRetries: flood.retries,
      seconds,
    };
  }
}
