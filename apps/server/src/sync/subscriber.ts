import type { Cursor } from "@rhizome/protocol";
import type { CloseReason, Seat, SendResult } from "./seat.ts";
import type { Frame } from "./sse.ts";

export type { CloseReason, SendResult };

export type SubscriberInfo = {
  /** The spaces the stream follows: one for GET /api/stream, many for POST. */
  spaceIds: readonly string[];
  beingId: string;
  /** Hash of the session that opened the stream, so that signing out can end it. */
  sessionKey: string;
  /** The client's address (as the trusted proxies saw it), for the per-address cap. */
  address: string;
};

/**
 * One open SSE stream, and for a single-space stream its own seat in that space. When more
 * than `maxBufferBytes` of frames wait unread, the subscriber is cut off (it resumes from its
 * cursor). The stream keeps the default (count) strategy:
 * a byte-sized one makes Bun hold a native buffer as large as the biggest frame per stream.
 * Unread bytes are counted here instead: the queue's length comes from `desiredSize`.
 */
export class Subscriber implements Seat {
  /** The timestamp of the last frame sent: where this subscriber's chain stands. */
  cursor: Cursor | undefined;
  readonly page: number | undefined = undefined;
  readonly channelHeartbeats = true;
  slot: number | undefined = undefined;
  readonly stream: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #closed = false;
  readonly #closeListeners: ((reason: CloseReason) => void)[] = [];
  /** Sizes of the frames still queued, oldest first, and their sum. */
  readonly #queued: number[] = [];
  #head = 0;
  #queuedBytes = 0;

  constructor(
    readonly info: SubscriberInfo,
    private readonly maxBufferBytes: number,
  ) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        cancel: () => this.#finish("client-gone"),
      },
      { highWaterMark: 1 },
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The space of a single-space stream (its first, for a multi-space one). */
  get spaceId(): string {
    return this.info.spaceIds[0] as string;
  }

  /** As a seat: the frame with its `id:` line, as a native EventSource wants. */
  deliver(frame: Frame): SendResult {
    return this.send(frame.bytes(true), frame.timestamp);
  }

  onClose(listener: (reason: CloseReason) => void): void {
    this.#closeListeners.push(listener);
  }

  /** Queues one pre-encoded frame at `cursor`; the same bytes may go to thousands. */
  send(frame: Uint8Array, cursor: Cursor): SendResult {
    const result = this.write(frame);
    if (result === "sent") this.cursor = cursor;
    return result;
  }

  /** Queues bytes, cutting the stream off when too much waits unread. */
  write(frame: Uint8Array): SendResult {
    if (this.#closed) return "closed";
    try {
      this.#controller.enqueue(frame);
    } catch {
      this.#finish("client-gone");
      return "closed";
    }
    // Over the limit only with more than the limit *already* waiting: a single frame larger
    // than the limit (a big reset) must not cut off a reader that keeps up.
    if (this.#unreadBytes(frame.byteLength) - frame.byteLength > this.maxBufferBytes) {
      this.close("slow-consumer");
      return "overflow";
    }
    return "sent";
  }

  /** Bytes queued and not yet taken by the socket, this frame included. */
  #unreadBytes(added: number): number {
    // With a high-water mark of 1 chunk, the queue holds 1 - desiredSize frames.
    const waiting = Math.max(0, 1 - (this.#controller.desiredSize ?? 1));
    // The common case on a live fan-out: the reader already took this frame, nothing waits.
    if (waiting === 0) {
      this.#queued.length = 0;
      this.#head = 0;
      this.#queuedBytes = 0;
      return 0;
    }
    this.#queued.push(added);
    this.#queuedBytes += added;
    while (this.#queued.length - this.#head > waiting) {
      this.#queuedBytes -= this.#queued[this.#head] as number;
      this.#head++;
    }
    if (this.#head > 64 && this.#head * 2 > this.#queued.length) {
      this.#queued.splice(0, this.#head);
      this.#head = 0;
    }
    return this.#queuedBytes;
  }

  /** Ends the stream: gracefully (queued frames still go out) unless it is a cutoff. */
  close(reason: CloseReason): void {
    if (this.#closed) return;
    try {
      if (reason === "slow-consumer") this.#controller.error(new Error("slow consumer"));
      else this.#controller.close();
    } catch {
      // Already closed by the runtime.
    }
    this.#finish(reason);
  }

  #finish(reason: CloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const listener of this.#closeListeners) listener(reason);
  }
}
