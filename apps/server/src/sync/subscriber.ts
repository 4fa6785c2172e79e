import type { Cursor } from "@rhizome/protocol";

export type SubscriberInfo = {
  spaceId: string;
  beingId: string;
  /** Hash of the session that opened the stream, so that signing out can end it. */
  sessionKey: string;
};

export type SendResult = "sent" | "overflow" | "closed";
export type CloseReason = "client-gone" | "slow-consumer" | "revoked" | "shutdown" | "error";

/**
 * One open SSE stream. Frames are queued in a byte-counted ReadableStream; when more than
 * `maxBufferBytes` wait unread, the subscriber is cut off (it resumes from its cursor).
 */
export class Subscriber {
  /** The timestamp of the last frame sent: where this subscriber's chain stands. */
  cursor: Cursor | undefined;
  readonly stream: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #closed = false;
  #onClose: ((reason: CloseReason) => void) | undefined;

  constructor(
    readonly info: SubscriberInfo,
    maxBufferBytes: number,
  ) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        cancel: () => this.#finish("client-gone"),
      },
      { highWaterMark: maxBufferBytes, size: (chunk) => chunk?.byteLength ?? 0 },
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  onClose(listener: (reason: CloseReason) => void): void {
    this.#onClose = listener;
  }

  /** Queues one pre-encoded frame; the same bytes may go to thousands of subscribers. */
  send(frame: Uint8Array, cursor: Cursor): SendResult {
    if (this.#closed) return "closed";
    try {
      this.#controller.enqueue(frame);
    } catch {
      this.#finish("client-gone");
      return "closed";
    }
    this.cursor = cursor;
    // desiredSize is the room left under the high-water mark; negative means over the limit.
    if ((this.#controller.desiredSize ?? 0) < 0) {
      this.close("slow-consumer");
      return "overflow";
    }
    return "sent";
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
    this.#onClose?.(reason);
  }
}
