import type { Timers } from "@rhizome/protocol";

/**
 * Leading-edge batching of one space's changes (docs/PROTOCOL.md, "Live deltas and
 * batching"): the first change after a quiet window is flushed at once; later ones wait for
 * the window's end, or for a full batch. The window adapts to the audience, since a frame
 * costs a write per subscriber: `batchMs × min(1, audience / batchAudience)`, so a
 * conversation among a few is sent at once and a crowd is coalesced for the full window.
 */
export function windowMs(
  settings: { batchMs: number; batchAudience: number },
  audience: number,
): number {
  // A space with no subscriber yet still counts one: a window of 0 would re-arm at once.
  return (
    settings.batchMs * Math.min(1, Math.max(1, audience) / Math.max(1, settings.batchAudience))
  );
}

export class BatchWindow {
  /** Changes announced since the last flush started: what the next flush will carry. */
  #pending = 0;
  #timer: unknown;
  /** The running window was opened for a trailing flush that has sent nothing yet. */
  #provisional = false;
  #disposed = false;

  constructor(
    private readonly timers: Timers,
    private readonly settings: { batchMs: number; maxBatch: number; batchAudience: number },
    private readonly flush: () => void,
    /** This instance's subscribers of the space, read when a window opens. */
    private readonly audience: () => number = () => settings.batchAudience,
  ) {}

  get pending(): number {
    return this.#pending;
  }

  /** Whether a window is running (the next change waits for its end). */
  get open(): boolean {
    return this.#timer !== undefined;
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

  /**
   * A change sent without a flush (its writer's instance had it): it takes the leading edge
   * when the window is closed, so that what follows is batched as after a flush.
   */
  lead(): boolean {
    if (this.#disposed || this.open) return false;
    this.#open();
    return true;
  }

  /** A flush sent a frame: the running window, if any, is a real one. */
  sent(): void {
    this.#provisional = false;
  }

  /**
   * A flush found nothing to send. A window opened for a trailing flush (the notification of
   * a change already sent, say) then had no frame at its start: it closes, so that the next
   * change takes the leading edge instead of waiting out a window after a quiet one.
   */
  quiet(): void {
    if (!this.#provisional || this.#disposed) return;
    this.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#provisional = false;
    if (this.#pending > 0) {
      this.flush();
      this.#open();
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

  #open(provisional = false): void {
    this.#provisional = provisional;
    this.#timer = this.timers.setTimeout(
      () => {
        this.#timer = undefined;
        this.#provisional = false;
        if (this.#pending > 0 && !this.#disposed) {
          this.#open(true);
          this.flush();
        }
      },
      windowMs(this.settings, this.audience()),
    );
  }
}
