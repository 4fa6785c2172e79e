import type { ServerProcess } from "@rhizome/testkit";
import { Flood } from "./flood.ts";
import { Api } from "./http.ts";
import type { Ledger } from "./ledger.ts";
import { StalledSubscriber, slowConsumerCutoffs } from "./stall.ts";

export type StallResult = {
  /** Reading again after a cutoff was counted, the stalled socket saw the server end it. */
  ended: boolean;
  /** The server stopped sending to the stalled socket but never closed it. */
  leftOpen: boolean;
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
    let flooding = true;
    const flow = flood
      .run(() => ended || leftOpen)
      .finally(() => {
        flooding = false;
      });
    // A cutoff on the anchor may be an audited subscriber's (one starved of CPU for a moment):
    // only the stalled socket itself, read again, tells whether it was cut off.
    const look = async () => {
      const seen = await stalled.probe(3_000, 2_500);
      ended = seen === "ended";
      leftOpen = seen === "silent";
    };
    const baseline = (await slowConsumerCutoffs(anchor.url)) ?? 0;
    let seen = baseline;
    while (!ended && !leftOpen) {
      await Bun.sleep(200);
      const count = (await slowConsumerCutoffs(anchor.url)) ?? seen;
      if (count > seen) {
        seen = count;
        await look();
      } else if (!flooding) {
        // The flood is over: a last look, in case the cutoff came with its last writes.
        await look();
        break;
      }
    }
    await flow;
    stalled.destroy();
    return {
      ended,
      leftOpen,
      cutoffs: seen - baseline,
      floodBytes: flood.bytes,
      floodWrites: flood.writes,
      floodRetries: flood.retries,
      seconds: (performance.now() - began) / 1000,
    };
  }
}
