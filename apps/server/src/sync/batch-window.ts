import type { Timers } from "@rhizome/protocol";

/**
 * Leading-edge batching of one space's changes (DESIGN §6): the first change after a quiet
 * window is flushed at once; later ones wait for the window's end, or for a full batch.
 */
export class BatchWindow {
  /** Changes announced since the last flush started: what the next flush will carry. */
  #pending = 0;
  #timer: unknown;
  #disposed = false;

  constructor(
    private readonly timers: Timers,
    private readonly settings: { batchMs: number; maxBatch: number },
    private readonly flush: () => void,
  ) {}

  get pending(): number {
    return this.#pending;
  }

  /** A change was committed (its notification arrived). */
  announce(): void {
    if (this.#disposed) return;
    this.#pending++;
    if (this.#timer === undefined) {
      this.flush();
      this.#open();
    } else if (this.#pending >= this.settings.maxBatch) {
      this.flush();
    }
  }

  /** A flush starts: it takes every change announced so far. */
  take(): number {
    const taken = this.#pending;
    this.#pending = 0;
    return taken;
  }

  /** A flush failed: its changes wait for the next one. */
  putBack(count: number): void {
    this.#pending += count;
  }

  dispose(): void {
    this.#disposed = true;
    this.timers.clearTimeout(this.#timer);
  }

  #open(): void {
    this.#timer = this.timers.setTimeout(() => {
      this.#timer = undefined;
      if (this.#pending > 0 && !this.#disposed) {
        this.flush();
        this.#open();
      }
    }, this.settings.batchMs);
  }
}
