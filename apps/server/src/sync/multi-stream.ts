import { buildHeartbeat, type Cursor } from "@rhizome/protocol";
import type { CloseReason, Seat, SendResult } from "./seat.ts";
import { encodeFrame, type Frame } from "./sse.ts";
import type { Subscriber } from "./subscriber.ts";

/**
 * One followed space of a multi-space stream: a cursor, and frames held until its turn.
 * A stream may follow hundreds of spaces and a process hold thousands of streams: a follow
 * is one object of five fields (its space, page and held frames are the stream's, by index).
 */
class Follow implements Seat {
  cursor: Cursor | undefined = undefined;
  /** When this space last got a frame, for the rotating heartbeat. */
  lastFrameAt = 0;
  slot: number | undefined = undefined;

  constructor(
    private readonly stream: MultiStream,
    readonly index: number,
  ) {}

  get spaceId(): string {
    return this.stream.spaceIds[this.index] as string;
  }

  get page(): number | undefined {
    return this.stream.pages?.[this.index];
  }

  /** On the prototype, not on each follow: the stream beats for all its spaces. */
  get channelHeartbeats(): boolean {
    return false;
  }

  get closed(): boolean {
    return this.stream.connection.closed;
  }

  deliver(frame: Frame): SendResult {
    const result = this.stream.write(this, frame.bytes(false));
    if (result === "sent") this.cursor = frame.timestamp;
    return result;
  }

  close(reason: CloseReason): void {
    this.stream.connection.close(reason);
  }
}

/**
 * One connection following many spaces (POST /api/stream): one `Subscriber` holding one seat
 * per space in that space's channel. First frames go out in the order of the request, then
 * live frames interleave, each space's chaining on its own. After `heartbeatMs` without any
 * frame, one empty delta goes out, for the space that has gone longest without one.
 */
export class MultiStream {
  readonly follows: Follow[];
  /** Each entry's reset page, or undefined when no entry asked for one. */
  readonly pages: readonly (number | undefined)[] | undefined;
  /** Frames that arrived for a follow before the spaces listed before it got their first. */
  #held: Map<number, Uint8Array[]> | undefined = new Map();
  /** Follows before this index have had their first frame: they write straight through. */
  #released = 0;
  #lastWriteAt: number;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `spaceIds` are the followed spaces in the request's order (the caller passes one shared
   * string per space, not the request's copies), `pages` each entry's reset page.
   */
  constructor(
    readonly connection: Subscriber,
    readonly spaceIds: readonly string[],
    pages: readonly (number | undefined)[],
    private readonly heartbeatMs: number,
    private readonly now: () => number = Date.now,
  ) {
    const follows: Follow[] = new Array(spaceIds.length);
    for (let index = 0; index < spaceIds.length; index++) follows[index] = new Follow(this, index);
    this.follows = follows;
    this.pages = pages.some((page) => page !== undefined) ? pages : undefined;
    this.#lastWriteAt = now();
    this.#arm(heartbeatMs);
    connection.onClose(() => clearTimeout(this.#timer));
  }

  /** Writes a follow's frame now, or holds it until every space listed before has gone first. */
  write(follow: Follow, bytes: Uint8Array): SendResult {
    if (this.connection.closed) return "closed";
    if (follow.index > this.#released) {
      const held = this.#held?.get(follow.index);
      if (held) held.push(bytes);
      else this.#held?.set(follow.index, [bytes]);
      return "sent";
    }
    follow.lastFrameAt = this.now();
    const result = this.#send(bytes);
    // The head of the order just had its first frame: the next ones may go.
    if (follow.index === this.#released) this.#release();
    return result;
  }

  /** The follow at the head of the order has its first frame out: let the next ones through. */
  #release(): void {
    this.#held?.delete(this.#released);
    this.#released++;
    for (let next = this.follows[this.#released]; next; next = this.follows[this.#released]) {
      const held = this.#held?.get(next.index);
      if (!held || held.length === 0) return;
      this.#held?.delete(next.index);
      next.lastFrameAt = this.now();
      for (const bytes of held) if (this.#send(bytes) !== "sent") return;
      this.#released++;
    }
    // Every space had its first frame: nothing is held any more.
    this.#held = undefined;
  }

  #send(bytes: Uint8Array): SendResult {
    this.#lastWriteAt = this.now();
    return this.connection.write(bytes);
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#beat(), Math.max(1, ms));
  }

  /** Beats only after a quiet heartbeat: a busy stream needs none. */
  #beat(): void {
    if (this.connection.closed) return;
    const quiet = this.now() - this.#lastWriteAt;
    if (quiet < this.heartbeatMs) {
      this.#arm(this.heartbeatMs - quiet);
      return;
    }
    let oldest: Follow | undefined;
    for (const follow of this.follows.slice(0, this.#released)) {
      if (follow.cursor !== undefined && (!oldest || follow.lastFrameAt < oldest.lastFrameAt)) {
        oldest = follow;
      }
    }
    if (oldest?.cursor !== undefined) {
      oldest.lastFrameAt = this.now();
      this.#send(
        encodeFrame(buildHeartbeat(oldest.spaceId, oldest.cursor), undefined, { withId: false }),
      );
    }
    this.#arm(this.heartbeatMs);
  }
}
