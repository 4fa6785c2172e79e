import {
  BEFORE_EVERY_CURSOR,
  buildDelta,
  type Cursor,
  realTimers,
  type Timers,
} from "@rhizome/protocol";
import { Audience, type Position } from "./audience.ts";
import { BatchWindow } from "./batch-window.ts";
import { type FirstFrame, firstFrame } from "./first-frame.ts";
import { bySinceAndPage, type Joiner } from "./joiners.ts";
import type { SyncMetrics } from "./metrics.ts";
import { PostsInFlight } from "./posts-in-flight.ts";
import { ResetCache } from "./reset-cache.ts";
import { ChangeRing } from "./ring.ts";
import type { Seat } from "./seat.ts";
import type { ChangeSource, LocalChange, SyncSettings } from "./source.ts";
import { Frame, SSE_RETRY_MS } from "./sse.ts";

type Deps = { source: ChangeSource; settings: SyncSettings; metrics: SyncMetrics; timers?: Timers };

/**
 * A channel's life: `forming` until a first join fixes its position (and again once it has
 * started over), `live` at the timestamp of its last frame, `disposed` for good.
 */
type Phase =
  | { name: "forming" }
  | {
      name: "live";
      lastSent: Cursor;
      /**
       * The head the ring is complete up to: at least `lastSent` (past it when a joiner's
       * read saw further than the channel has sent).
       */
      readThrough: Cursor;
    }
  | { name: "disposed" };

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
  readonly #audience: Audience;
  #joiners: Joiner[] = [];
  #phase: Phase = { name: "forming" };
  readonly #ring: ChangeRing;
  readonly #resets = new ResetCache();
  #queue: Promise<void> = Promise.resolve();
  /** Work on the queue not yet started, so that a burst of requests queues it once. */
  #flushQueued = false;
  #joinQueued = false;
  /** A change committed through this process may not be in the ring yet (see `committed`). */
  #localCommitUnread = false;
  readonly #batch: BatchWindow;
  #heartbeat: unknown;
  #retry: unknown;
  readonly #posts: PostsInFlight;
  readonly #timers: Timers;

  constructor(
    readonly spaceId: string,
    private readonly deps: Deps,
  ) {
    this.#ring = new ChangeRing(
      Math.max(1024, deps.settings.catchupLimit * 4),
      BEFORE_EVERY_CURSOR,
    );
    this.#timers = deps.timers ?? realTimers;
    this.#batch = new BatchWindow(
      this.#timers,
      deps.settings,
      () => this.#requestFlush(),
      () => this.subscriberCount,
    );
    this.#audience = new Audience(spaceId, deps.metrics);
    // Queued behind the post's own send (see `committed`), so that it goes first.
    this.#posts = new PostsInFlight(this.#timers, (held, later) => {
      const announce = async () => {
        for (let i = 0; i < held; i++) this.#batch.announce();
      };
      if (later) this.#enqueue(announce);
      else void announce();
    });
  }

  get subscriberCount(): number {
    return this.#audience.size + this.#joiners.length;
  }

  get lastSent(): Cursor | undefined {
    return this.#position()?.lastSent;
  }

  /** Where the next flush reads from; undefined until the first join. */
  get readThrough(): Cursor | undefined {
    return this.#position()?.readThrough;
  }

  /** Attaches a subscriber: its first frame is computed on the channel's queue. */
  join(subscriber: Seat, since: Cursor | undefined): void {
    this.#joiners.push({ subscriber, since });
    if (!this.#joinQueued) {
      this.#joinQueued = true;
      this.#enqueue(() => this.#admitJoiners());
    }
  }

  leave(subscriber: Seat): void {
    this.#audience.leave(subscriber);
  }

  /**
   * A change was committed: batched per space (see BatchWindow). A notification that would
   * open the window while a post of this space is in flight here waits for it (PostsInFlight).
   */
  notify(): void {
    if (this.#phase.name === "disposed") return;
    if (this.#posts.active && !this.#batch.open) this.#posts.hold();
    else this.#batch.announce();
  }

  /** A post of this space starts here; the returned function ends it, after `committed`. */
  writing(): () => void {
    return this.#posts.start();
  }

  /**
   * A change was committed through this process, before its notification may have arrived:
   * the next resume reads past the ring first, so that a client that posted and then
   * connects gets everything it knows was committed in its first frame.
   */
  committed(local?: LocalChange): void {
    this.#localCommitUnread = true;
    // It takes the leading edge now, so that its notification, however soon, waits for it.
    if (local && this.#batch.lead()) this.#enqueue(() => this.#sendLocal(local));
  }

  /** Stops timers; subscribers are closed by the caller. */
  dispose(): void {
    this.#phase = { name: "disposed" };
    this.#batch.dispose();
    this.#posts.dispose();
    this.#timers.clearTimeout(this.#heartbeat);
    this.#timers.clearTimeout(this.#retry);
  }

  /** Resolves once everything queued so far has run (tests, shutdown). */
  idle(): Promise<void> {
    return this.#queue;
  }

  #requestFlush(): void {
    if (this.#flushQueued || this.#phase.name === "disposed") return;
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
    // Joiners resuming from the same cursor (with the same page) share one computation: a
    // reconnect storm is one read.
    for (const group of bySinceAndPage(joiners)) {
      const live = group.filter((joiner) => !joiner.subscriber.closed);
      const [sample] = live;
      if (!sample) continue;
      const pageSize = sample.subscriber.page ?? this.deps.settings.pageSize;
      const cached = sample.since === undefined ? this.#cachedReset(pageSize) : undefined;
      let first = cached?.first;
      if (!first) {
        const started = performance.now();
        try {
          first = await firstFrame(this.spaceId, sample.since, this.#position(), {
            ...this.deps,
            pageSize,
          });
        } catch (error) {
          console.error(`[sync] catch-up of space ${this.spaceId} failed:`, error);
        }
        this.deps.metrics.firstFrameDuration.observe((performance.now() - started) / 1000);
      }
      if (!first) {
        for (const joiner of live) joiner.subscriber.close("error");
        continue;
      }
      const at = this.#initialise(first);
      const frame = cached?.frame ?? new Frame(first.event, SSE_RETRY_MS);
      if (at && !cached) this.#resets.put(pageSize, at.readThrough, first, frame);
      for (const joiner of live) {
        if (!this.#audience.deliver(joiner.subscriber, frame)) continue;
        // Past what the channel has read: it converges once a flush has read as far.
        if (at && this.#audience.place(joiner.subscriber, at)) this.#requestFlush();
      }
    }
    // Only broadcasts re-arm it: frequent joins must not starve the others of heartbeats.
    if (this.#heartbeat === undefined) this.#armHeartbeat();
  }

  /**
   * A reset built at the channel's position, while no announced or local change waits to be
   * read (the fresh read would then see further): the same page and head as a new read.
   */
  #cachedReset(pageSize: number): ReturnType<ResetCache["get"]> {
    if (this.#phase.name !== "live" || this.#batch.pending > 0 || this.#localCommitUnread) {
      return undefined;
    }
    return this.#resets.get(pageSize, this.#phase.readThrough);
  }

  /** The first join fixes the channel's position, and its read seeds the ring. */
  #initialise(first: FirstFrame): Position | undefined {
    if (this.#phase.name !== "forming") return this.#position();
    const { timestamp } = first.event;
    const seed = first.seed ?? { floor: timestamp, changes: [], head: timestamp };
    this.#ring.reset(seed.floor, seed.changes);
    this.#phase = { name: "live", lastSent: timestamp, readThrough: seed.head };
    return this.#position();
  }

  /** Where the channel stands while it is live. */
  #position(): Position | undefined {
    if (this.#phase.name !== "live") return undefined;
    const { lastSent, readThrough } = this.#phase;
    return { lastSent, readThrough, ring: this.#ring };
  }

  async #flush(): Promise<void> {
    const phase = this.#phase;
    if (phase.name !== "live") return;
    const { source, settings, metrics } = this.deps;
    const taken = this.#batch.take();
    // This read starts after every commit reported so far: it sees them all.
    this.#localCommitUnread = false;
    const started = performance.now();
    metrics.dbQueries++;
    const cap = flushCap(settings.maxBatch);
    let read: Awaited<ReturnType<ChangeSource["changesSince"]>>;
    try {
      read = await source.changesSince(this.spaceId, phase.readThrough, cap + 1);
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
    if (!read || read.changes.length === 0) return this.#batch.quiet();
    if (read.changes.length > cap) return this.#startOver();
    this.#ring.append(read.changes);
    phase.readThrough = read.head;
    this.#broadcast(phase, started);
  }

  /**
   * A change this process committed at a leading edge: sent without a read when the channel
   * has read exactly up to its predecessor (nothing else can lie between), else flushed.
   */
  async #sendLocal({ previous, change }: LocalChange): Promise<void> {
    const phase = this.#phase;
    if (phase.name !== "live" || phase.readThrough !== previous) return this.#flush();
    this.#ring.append([change]);
    phase.readThrough = change.updatedAt;
    this.deps.metrics.localSends++;
    this.#broadcast(phase, performance.now());
  }

  /** Sends what the ring holds past `lastSent`, as one frame to the subscribers in sync. */
  #broadcast(phase: Extract<Phase, { name: "live" }>, started: number): void {
    const since = phase.lastSent;
    if (!this.#ring.covers(since, phase.readThrough)) {
      this.#startOver();
      return;
    }
    const event = buildDelta(this.spaceId, since, this.#ring.after(since));
    // Read through: even a delta of omitted changes only (created and deleted since) is
    // sent, empty, so that its readers' cursors move past what it read.
    this.#audience.broadcast(new Frame(event));
    this.#batch.sent();
    phase.lastSent = event.timestamp;
    this.#audience.catchUp({ ...phase, ring: this.#ring });
    this.deps.metrics.recordFlush((performance.now() - started) / 1000);
    this.#armHeartbeat();
  }

  /** Too far behind to chain: every subscriber resumes from its cursor, the channel re-forms. */
  #startOver(): void {
    this.#audience.closeAll();
    this.#phase = { name: "forming" };
    this.#ring.reset(BEFORE_EVERY_CURSOR, []);
    this.#resets.clear();
  }

  #armHeartbeat(): void {
    this.#timers.clearTimeout(this.#heartbeat);
    if (this.#phase.name === "disposed") return;
    this.#heartbeat = this.#timers.setTimeout(
      () => this.#enqueue(async () => this.#sendHeartbeats()),
      this.deps.settings.heartbeatMs,
    );
  }

  /** An empty delta at each subscriber's cursor: liveness, and the server's position. */
  #sendHeartbeats(): void {
    if (this.#phase.name !== "live") return;
    this.#audience.heartbeat(this.#phase.lastSent);
    this.deps.metrics.heartbeats++;
    this.#armHeartbeat();
  }
}
