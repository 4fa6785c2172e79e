import {
  buildDelta,
  buildHeartbeat,
  type Cursor,
  carriesChanges,
  type Timers,
} from "@rhizome/protocol";
import { BatchWindow } from "./batch-window.ts";
import { type FirstFrame, firstFrame } from "./first-frame.ts";
import type { SyncMetrics } from "./metrics.ts";
import { ChangeRing } from "./ring.ts";
import type { ChangeSource, SyncSettings } from "./source.ts";
import { encodeFrame, SSE_RETRY_MS } from "./sse.ts";
import type { Subscriber } from "./subscriber.ts";

const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

type Deps = { source: ChangeSource; settings: SyncSettings; metrics: SyncMetrics; timers?: Timers };

const FLUSH_RETRY_MS = 500;

/**
 * The most changes one flush reads. A flush cannot be split into pages: the table keeps only
 * each row's latest version, so a row created in one page's range and edited later would
 * reach readers of the next page as `updated` without its creation. Past this bound the
 * channel starts over instead, and its subscribers resume (with a reset).
 */
export function flushCap(maxBatch: number): number {
  return Math.max(1000, maxBatch * 10);
}

/**
 * The live channel of one space in this process. Joins and flushes run one at a time on a
 * queue, so a subscriber is caught up and attached between two flushes and no change
 * falls in between. Every frame chains: its `since` is the subscriber's cursor.
 */
export class SpaceChannel {
  /** Subscribers whose cursor is `#lastSent`: they all get the same bytes. */
  readonly #inSync = new Set<Subscriber>();
  /**
   * Subscribers whose cursor is not `#lastSent`: joined from a newer snapshot than the last
   * flush, or moved by a change that is omitted for the channel but not for them. Each gets
   * its own delta, from its cursor, until its cursor meets the channel's.
   */
  readonly #offPosition = new Set<Subscriber>();
  #joiners: { subscriber: Subscriber; since: Cursor | undefined }[] = [];
  /** The timestamp of the channel's last frame; undefined until the first join. */
  #lastSent: Cursor | undefined;
  /**
   * The head the ring is complete up to: past `#lastSent` when the newest changes are omitted
   * for in-sync readers (created and deleted since), which moves no cursor (DESIGN §5).
   */
  #readThrough: Cursor = "";
  readonly #ring: ChangeRing;
  #queue: Promise<void> = Promise.resolve();
  #flushQueued = false;
  #joinQueued = false;
  /** A change committed through this process may not be in the ring yet (see `committed`). */
  #localCommitUnread = false;
  readonly #batch: BatchWindow;
  #heartbeat: unknown;
  #retry: unknown;
  #disposed = false;
  readonly #timers: Timers;

  constructor(
    readonly spaceId: string,
    private readonly deps: Deps,
  ) {
    this.#ring = new ChangeRing(Math.max(1024, deps.settings.catchupLimit * 4), "");
    this.#timers = deps.timers ?? realTimers;
    this.#batch = new BatchWindow(this.#timers, deps.settings, () => this.#requestFlush());
  }

  get subscriberCount(): number {
    return this.#inSync.size + this.#offPosition.size + this.#joiners.length;
  }

  get lastSent(): Cursor | undefined {
    return this.#lastSent;
  }

  /** Where the next flush reads from; undefined until the first join. */
  get readThrough(): Cursor | undefined {
    return this.#lastSent === undefined ? undefined : this.#readThrough;
  }

  /** Attaches a subscriber: its first frame is computed on the channel's queue. */
  join(subscriber: Subscriber, since: Cursor | undefined): void {
    this.#joiners.push({ subscriber, since });
    if (!this.#joinQueued) {
      this.#joinQueued = true;
      this.#enqueue(() => this.#admitJoiners());
    }
  }

  leave(subscriber: Subscriber): void {
    this.#inSync.delete(subscriber);
    this.#offPosition.delete(subscriber);
  }

  /** A change was committed: batched per space (see BatchWindow). */
  notify(): void {
    if (!this.#disposed) this.#batch.announce();
  }

  /**
   * A change was committed through this process, before its notification may have arrived:
   * the next resume reads past the ring first, so that a client that posted and then
   * connects gets everything it knows was committed in its first frame.
   */
  committed(): void {
    this.#localCommitUnread = true;
  }

  /** Stops timers; subscribers are closed by the caller. */
  dispose(): void {
    this.#disposed = true;
    this.#batch.dispose();
    this.#timers.clearTimeout(this.#heartbeat);
    this.#timers.clearTimeout(this.#retry);
  }

  /** Resolves once everything queued so far has run (tests, shutdown). */
  idle(): Promise<void> {
    return this.#queue;
  }

  #requestFlush(): void {
    if (this.#flushQueued || this.#disposed) return;
    this.#flushQueued = true;
    this.#enqueue(() => {
      this.#flushQueued = false;
      return this.#flush();
    });
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task).catch((error) => {
      console.error(`[sync] space ${this.spaceId}:`, error);
    });
  }

  async #admitJoiners(): Promise<void> {
    this.#joinQueued = false;
    // Changes already announced must be in the ring before it answers a resume: a first
    // frame carries everything committed before the connect, so the reset threshold holds.
    if (this.#batch.pending > 0 || this.#localCommitUnread) await this.#flush();
    const joiners = this.#joiners;
    this.#joiners = [];
    // Joiners resuming from the same cursor share one computation: a reconnect storm is one read.
    const bySince = Map.groupBy(joiners, (joiner) => joiner.since ?? "");
    for (const [since, group] of bySince) {
      const live = group.filter((joiner) => !joiner.subscriber.closed);
      if (live.length === 0) continue;
      let first: FirstFrame | undefined;
      try {
        first = await firstFrame(
          since === "" ? undefined : since,
          {
            spaceId: this.spaceId,
            lastSent: this.#lastSent,
            readThrough: this.#readThrough,
            ring: this.#ring,
          },
          this.deps,
        );
      } catch (error) {
        console.error(`[sync] catch-up of space ${this.spaceId} failed:`, error);
      }
      if (!first) {
        for (const joiner of live) joiner.subscriber.close("error");
        continue;
      }
      this.#initialise(first);
      const bytes = encodeFrame(first.event, SSE_RETRY_MS);
      for (const joiner of live) {
        const sent = this.#deliver(joiner.subscriber, bytes, first.event.timestamp);
        if (sent) this.#place(joiner.subscriber);
      }
    }
    // Only broadcasts re-arm it: frequent joins must not starve the others of heartbeats.
    if (this.#heartbeat === undefined) this.#armHeartbeat();
  }

  /** The first join fixes the channel's position; its read seeds the ring. */
  #initialise(first: FirstFrame): void {
    if (this.#lastSent !== undefined) return;
    this.#lastSent = first.event.timestamp;
    const seed = first.seed ?? {
      floor: first.event.timestamp,
      changes: [],
      head: first.event.timestamp,
    };
    this.#ring.reset(seed.floor, seed.changes);
    this.#readThrough = seed.head;
  }

  /** Puts a subscriber that has its first frame into the set its cursor belongs to. */
  #place(subscriber: Subscriber): void {
    if (subscriber.cursor === this.#lastSent) {
      this.#inSync.add(subscriber);
      return;
    }
    this.#offPosition.add(subscriber);
    // It read a newer snapshot than the channel: it converges once a flush has read as far.
    if ((subscriber.cursor as Cursor) > this.#readThrough) this.#requestFlush();
    else this.#catchUpOffPosition();
  }

  async #flush(): Promise<void> {
    if (this.#lastSent === undefined || this.#disposed) return;
    const { source, settings, metrics } = this.deps;
    const since = this.#lastSent;
    const taken = this.#batch.take();
    // This read starts after every commit reported so far: it sees them all.
    this.#localCommitUnread = false;
    const started = performance.now();
    metrics.dbQueries++;
    const cap = flushCap(settings.maxBatch);
    let read: Awaited<ReturnType<ChangeSource["changesSince"]>>;
    try {
      read = await source.changesSince(this.spaceId, this.#readThrough, cap + 1);
    } catch (error) {
      console.error(
        `[sync] flush of space ${this.spaceId} failed, retrying:`,
        (error as Error).message,
      );
      this.#batch.putBack(Math.max(taken, 1));
      this.#timers.clearTimeout(this.#retry);
      this.#retry = this.#timers.setTimeout(() => this.#requestFlush(), FLUSH_RETRY_MS);
      return;
    }
    if (!read || read.changes.length === 0) return;
    if (read.changes.length > cap) return this.#startOver();
    this.#ring.append(read.changes);
    this.#readThrough = read.head;
    if (!this.#ring.covers(since, this.#readThrough)) return this.#startOver();
    const event = buildDelta(this.spaceId, since, this.#ring.after(since));
    // Only changes omitted for in-sync readers (created and deleted since): no frame for
    // them, no cursor moves; a subscriber off the position may still have something to get.
    if (!carriesChanges(event)) return this.#catchUpOffPosition();
    const bytes = encodeFrame(event);
    let recipients = 0;
    for (const subscriber of this.#inSync) {
      if (subscriber.send(bytes, event.timestamp) === "sent") recipients++;
      else this.#inSync.delete(subscriber);
    }
    metrics.recordFrame(bytes.byteLength, recipients);
    this.#lastSent = event.timestamp;
    this.#catchUpOffPosition();
    metrics.flushes++;
    metrics.flushSeconds += (performance.now() - started) / 1000;
    this.#armHeartbeat();
  }

  /** Too far behind to chain: every subscriber resumes from its cursor, the channel re-forms. */
  #startOver(): void {
    for (const subscriber of [...this.#inSync, ...this.#offPosition]) subscriber.close("error");
    this.#inSync.clear();
    this.#offPosition.clear();
    this.#lastSent = undefined;
    this.#readThrough = "";
    this.#ring.reset("", []);
  }

  /**
   * Each subscriber off the channel's position gets the delta from its own cursor of what
   * the ring holds; one whose cursor then meets the channel's joins the shared frames.
   */
  #catchUpOffPosition(): void {
    for (const subscriber of this.#offPosition) {
      const cursor = subscriber.cursor as Cursor;
      if (cursor > this.#readThrough) continue; // Ahead of what was read: a flush is coming.
      if (!this.#ring.covers(cursor, this.#readThrough)) {
        this.#offPosition.delete(subscriber);
        subscriber.close("error"); // Cannot chain it: it resumes from its cursor.
        continue;
      }
      const patch = buildDelta(this.spaceId, cursor, this.#ring.after(cursor));
      if (
        carriesChanges(patch) &&
        !this.#deliver(subscriber, encodeFrame(patch), patch.timestamp)
      ) {
        this.#offPosition.delete(subscriber);
        continue;
      }
      if (subscriber.cursor === this.#lastSent) {
        this.#offPosition.delete(subscriber);
        this.#inSync.add(subscriber);
      }
    }
  }

  #deliver(subscriber: Subscriber, bytes: Uint8Array, cursor: Cursor): boolean {
    const result = subscriber.send(bytes, cursor);
    if (result === "sent") this.deps.metrics.recordFrame(bytes.byteLength, 1);
    return result === "sent";
  }

  #armHeartbeat(): void {
    this.#timers.clearTimeout(this.#heartbeat);
    if (this.#disposed) return;
    this.#heartbeat = this.#timers.setTimeout(
      () => this.#enqueue(async () => this.#sendHeartbeats()),
      this.deps.settings.heartbeatMs,
    );
  }

  /** An empty delta at each subscriber's cursor: liveness, and the server's position. */
  #sendHeartbeats(): void {
    if (this.#lastSent === undefined || this.#disposed) return;
    const bytes = encodeFrame(buildHeartbeat(this.spaceId, this.#lastSent));
    let recipients = 0;
    for (const subscriber of this.#inSync) {
      if (subscriber.send(bytes, this.#lastSent) === "sent") recipients++;
      else this.#inSync.delete(subscriber);
    }
    this.deps.metrics.recordFrame(bytes.byteLength, recipients);
    for (const subscriber of this.#offPosition) {
      const cursor = subscriber.cursor as Cursor;
      if (!this.#deliver(subscriber, encodeFrame(buildHeartbeat(this.spaceId, cursor)), cursor)) {
        this.#offPosition.delete(subscriber);
      }
    }
    this.deps.metrics.heartbeats++;
    this.#armHeartbeat();
  }
}
