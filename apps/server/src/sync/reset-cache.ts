import type { Cursor } from "@rhizome/protocol";
import type { FirstFrame } from "./first-frame.ts";
import type { Frame } from "./sse.ts";

/**
 * The reset frames a live channel built at the head it has read through, one per page size.
 * While the channel's position has not moved, a reset read again would return the same page
 * and head (every change moves the head and is announced), so joiners without a cursor
 * share one read and one encoding: 100 sidebars following a space cost one frame, not 100.
 */
export class ResetCache {
  #at: Cursor | undefined;
  readonly #frames = new Map<number, { first: FirstFrame; frame: Frame }>();

  /** The reset of `pageSize` intentions at `readThrough`, if one was built there. */
  get(pageSize: number, readThrough: Cursor): { first: FirstFrame; frame: Frame } | undefined {
    if (this.#at !== readThrough) return undefined;
    return this.#frames.get(pageSize);
  }

  /** Keeps a reset whose head is exactly where the channel has read through. */
  put(pageSize: number, readThrough: Cursor, first: FirstFrame, frame: Frame): void {
    if (!first.event.reset || first.event.timestamp !== readThrough) return;
    if (this.#at !== readThrough) this.clear();
    this.#at = readThrough;
    this.#frames.set(pageSize, { first, frame });
  }

  clear(): void {
    this.#at = undefined;
    this.#frames.clear();
  }
}
