import type { Timers } from "@rhizome/protocol";

/** The longest a notification waits for a post in flight (normally a millisecond or two). */
export const HOLD_MS = 50;

/**
 * Posts of one space in flight through this process, and the notifications held for them. A
 * notification that would open the batch window may be such a post's own; the post's result
 * (its change and predecessor) may then let the channel send it without a read.
 */
export class PostsInFlight {
  #posts = 0;
  #held = 0;
  #timer: unknown;

  constructor(
    private readonly timers: Timers,
    /** Hands the held notifications back; `later` queues it behind the channel's work. */
    private readonly release: (held: number, later: boolean) => void,
  ) {}

  get active(): boolean {
    return this.#posts > 0;
  }

  /** Holds a notification until the posts end, or HOLD_MS at most. */
  hold(): void {
    this.#held++;
    this.#timer ??= this.timers.setTimeout(() => this.#release(false), HOLD_MS);
  }

  /** A post starts; the returned function ends it (once), after its `committed`. */
  start(): () => void {
    this.#posts++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#posts--;
      if (this.#posts === 0 && this.#held > 0) this.#release(true);
    };
  }

  dispose(): void {
    this.timers.clearTimeout(this.#timer);
  }

  #release(later: boolean): void {
    this.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    const held = this.#held;
    this.#held = 0;
    this.release(held, later);
  }
}
