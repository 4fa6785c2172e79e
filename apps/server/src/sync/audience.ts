import { buildDelta, buildHeartbeat, type Cursor, movesCursor } from "@rhizome/protocol";
import type { SyncMetrics } from "./metrics.ts";
import type { ChangeRing } from "./ring.ts";
import type { Seat } from "./seat.ts";
import { SeatList } from "./seat-list.ts";
import { Frame } from "./sse.ts";

/**
 * Where a live channel stands: its last frame's timestamp, and its ring, complete to
 * `readThrough`. The audience and the first frame read the same one.
 */
export type Position = { lastSent: Cursor; readThrough: Cursor; ring: ChangeRing };

/**
 * The attached subscribers of one space's channel, by where their cursor is. Those at the
 * channel's position share every frame's bytes; the others get their own delta from their
 * cursor until it meets the channel's (DESIGN §6: every frame chains).
 */
export class Audience {
  /** Subscribers whose cursor is the channel's `lastSent`: they all get the same bytes. */
  readonly #inSync = new SeatList();
  /**
   * Subscribers whose cursor is not `lastSent`: joined from a newer snapshot than the last
   * flush, or moved by a change that is omitted for the channel but not for them.
   */
  readonly #offPosition = new SeatList();

  constructor(
    private readonly spaceId: string,
    private readonly metrics: SyncMetrics,
  ) {}

  get size(): number {
    return this.#inSync.size + this.#offPosition.size;
  }

  /**
   * Attaches a subscriber that has its first frame. Returns true when its cursor is past
   * what the channel has read: it converges once a flush has read as far.
   */
  place(subscriber: Seat, at: Position): boolean {
    if (subscriber.cursor === at.lastSent) {
      this.#inSync.add(subscriber);
      return false;
    }
    this.#offPosition.add(subscriber);
    if ((subscriber.cursor as Cursor) > at.readThrough) return true;
    this.catchUp(at);
    return false;
  }

  leave(subscriber: Seat): void {
    this.#inSync.delete(subscriber);
    this.#offPosition.delete(subscriber);
  }

  /** One frame, encoded once per form, to every subscriber at the channel's position. */
  broadcast(frame: Frame, only?: (seat: Seat) => boolean): void {
    let recipients = 0;
    this.#inSync.forEach((subscriber) => {
      if (only && !only(subscriber)) return;
      if (subscriber.deliver(frame) === "sent") recipients++;
      else this.#inSync.delete(subscriber);
    });
    if (recipients > 0) this.metrics.recordFrame(frame.bytes(true).byteLength, recipients);
  }

  /**
   * Each subscriber off the position gets the delta from its own cursor of what the ring
   * holds (one encoding per distinct cursor); one whose cursor then meets `lastSent` joins
   * the shared frames. One the ring cannot chain is closed: it resumes from its cursor.
   */
  catchUp(at: Position): void {
    const patches = new Map<Cursor, { timestamp: Cursor; frame: Frame | undefined }>();
    this.#offPosition.forEach((subscriber) => {
      const cursor = subscriber.cursor as Cursor;
      if (cursor > at.readThrough) return; // Ahead of what was read: a flush is coming.
      if (!at.ring.covers(cursor, at.readThrough)) {
        this.#offPosition.delete(subscriber);
        subscriber.close("error");
        return;
      }
      let patch = patches.get(cursor);
      if (!patch) {
        const delta = buildDelta(this.spaceId, cursor, at.ring.after(cursor));
        patch = {
          timestamp: delta.timestamp,
          frame: movesCursor(delta) ? new Frame(delta) : undefined,
        };
        patches.set(cursor, patch);
      }
      if (patch.frame && !this.deliver(subscriber, patch.frame)) {
        this.#offPosition.delete(subscriber);
        return;
      }
      if (subscriber.cursor === at.lastSent) {
        this.#offPosition.delete(subscriber);
        this.#inSync.add(subscriber);
      }
    });
  }

  /**
   * An empty delta at each subscriber's cursor: liveness, and the server's position. Seats of
   * multi-space streams are left out: their stream sends one heartbeat for all its spaces.
   */
  heartbeat(lastSent: Cursor): void {
    const beats = (seat: Seat) => seat.channelHeartbeats;
    this.broadcast(new Frame(buildHeartbeat(this.spaceId, lastSent)), beats);
    this.#offPosition.forEach((subscriber) => {
      if (!beats(subscriber)) return;
      const cursor = subscriber.cursor as Cursor;
      if (!this.deliver(subscriber, new Frame(buildHeartbeat(this.spaceId, cursor)))) {
        this.#offPosition.delete(subscriber);
      }
    });
  }

  /** Closes every attached subscriber (they resume from their cursors). */
  closeAll(): void {
    for (const subscriber of [...this.#inSync.drain(), ...this.#offPosition.drain()]) {
      subscriber.close("error");
    }
  }

  /** One frame to one subscriber; false when it could not take it (it is cut off). */
  deliver(subscriber: Seat, frame: Frame): boolean {
    const result = subscriber.deliver(frame);
    if (result === "sent") this.metrics.recordFrame(frame.bytes(true).byteLength, 1);
    return result === "sent";
  }
}
