import type { Cursor } from "@rhizome/protocol";
import { SPACE_CHANGES_CHANNEL } from "../db/channels.ts";
import type { Listen } from "../db/client.ts";
import { SpaceChannel } from "./channel.ts";
import { SyncMetrics } from "./metrics.ts";
import { MultiStream } from "./multi-stream.ts";
import type { Seat } from "./seat.ts";
import type { ChangeSource, LocalChange, SyncSettings } from "./source.ts";
import { type CloseReason, Subscriber, type SubscriberInfo } from "./subscriber.ts";

export type FanoutSettings = SyncSettings & {
  /** Open streams this process accepts in all; past it, new ones are refused (503). */
  maxStreams: number;
  maxStreamsPerBeing: number;
  maxStreamsPerAddress: number;
  safetyPollMs: number;
};

/** Why a stream is not admitted: the caller's own caps (429), or this instance's state (503). */
export type Refusal = "being-over-cap" | "address-over-cap" | "at-capacity" | "shutting-down";

export type OpenResult = { ok: true; subscriber: Subscriber } | { ok: false; reason: Refusal };

/** How long a space's channel (and its ring) outlives its last subscriber, for quick resumes. */
const CHANNEL_IDLE_MS = 60_000;

/**
 * The process-wide fan-out: one LISTEN connection, one channel per watched space, and the
 * safety net for lost notifications (a poll of heads, and a flush after every reconnect).
 */
export class Fanout {
  readonly metrics = new SyncMetrics();
  readonly #channels = new Map<string, SpaceChannel>();
  readonly #idleTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #streamsByBeing = new Map<string, number>();
  readonly #streamsByAddress = new Map<string, number>();
  /** Every open stream, from `open` to its close: also those still being caught up. */
  readonly #subscribers = new Set<Subscriber>();
  readonly #unlisten: (() => Promise<void>)[] = [];
  #poll: ReturnType<typeof setInterval> | undefined;
  #shuttingDown = false;

  constructor(
    private readonly source: ChangeSource,
    private readonly settings: FanoutSettings,
  ) {}

  /** The heartbeat interval, announced to clients so that their watchdogs match it. */
  get heartbeatMs(): number {
    return this.settings.heartbeatMs;
  }

  async start(listen: Listen): Promise<void> {
    let connected = false;
    this.#unlisten.push(
      await listen(
        SPACE_CHANGES_CHANNEL,
        (spaceId) => this.notify(spaceId),
        () => {
          // Notifications sent while the connection was down are lost: look at every head.
          if (connected) {
            this.metrics.listenerReconnects++;
            void this.pollHeads();
          }
          connected = true;
        },
      ),
    );
    this.#poll = setInterval(() => void this.pollHeads(), this.settings.safetyPollMs);
  }

  /** Whether a stream for `info` would be admitted now: cheap, so it comes before any work. */
  admission(info: Pick<SubscriberInfo, "beingId" | "address">): Refusal | undefined {
    if (this.#shuttingDown) return "shutting-down";
    if (this.#subscribers.size >= this.settings.maxStreams) return "at-capacity";
    if ((this.#streamsByBeing.get(info.beingId) ?? 0) >= this.settings.maxStreamsPerBeing) {
      return "being-over-cap";
    }
    if ((this.#streamsByAddress.get(info.address) ?? 0) >= this.settings.maxStreamsPerAddress) {
      return "address-over-cap";
    }
    return undefined;
  }

  /** Whether new streams are taken at all (health's `ready`). */
  get accepting(): boolean {
    return !this.#shuttingDown && this.#subscribers.size < this.settings.maxStreams;
  }

  /** A single-space stream: the subscriber is its own seat in the space's channel. */
  open(info: SubscriberInfo, since: Cursor | undefined): OpenResult {
    const refusal = this.admission(info);
    if (refusal) return { ok: false, reason: refusal };
    const subscriber = this.#admit(info);
    const channel = this.#channel(subscriber.spaceId);
    subscriber.onClose((reason) => this.#closed(subscriber, [subscriber], reason));
    channel.join(subscriber, since);
    return { ok: true, subscriber };
  }

  /**
   * A multi-space stream (one stream for the caps): one seat per entry, joined in the
   * request's order; first frames go out in that order (MultiStream).
   */
  openMany(
    info: SubscriberInfo,
    entries: readonly { spaceId: string; since?: Cursor; page?: number }[],
  ): OpenResult {
    const refusal = this.admission(info);
    if (refusal) return { ok: false, reason: refusal };
    // A followed position should cost little memory: the stream keeps each channel's own
    // spaceId string (not the request's copy), and nothing here keeps `entries` alive.
    const channels = entries.map((entry) => this.#channel(entry.spaceId));
    const spaceIds = channels.map((channel) => channel.spaceId);
    const subscriber = this.#admit({ ...info, spaceIds });
    const stream = new MultiStream(
      subscriber,
      spaceIds,
      entries.map((entry) => entry.page),
      this.settings.heartbeatMs,
    );
    const { follows } = stream;
    subscriber.onClose((reason) => this.#closed(subscriber, follows, reason));
    for (let i = 0; i < follows.length; i++) {
      channels[i]?.join(follows[i] as Seat, entries[i]?.since);
    }
    return { ok: true, subscriber };
  }

  #admit(info: SubscriberInfo): Subscriber {
    const subscriber = new Subscriber(info, this.settings.maxBufferBytes);
    count(this.#streamsByBeing, info.beingId, +1);
    count(this.#streamsByAddress, info.address, +1);
    this.#subscribers.add(subscriber);
    this.metrics.openStreams++;
    return subscriber;
  }

  /** Who holds the streams open in this process. */
  openStreams(): SubscriberInfo[] {
    return [...this.#subscribers].map((subscriber) => subscriber.info);
  }

  /** A change was committed in a space; spaces without local subscribers are ignored. */
  notify(spaceId: string): void {
    this.#channels.get(spaceId)?.notify();
  }

  /** A post of a space starts in this process; the returned function ends it. */
  writing(spaceId: string): () => void {
    return this.#channels.get(spaceId)?.writing() ?? noop;
  }

  /** Nothing to do before the writer's answer: this process's send follows it (`committed`). */
  stored(_spaceId: string, _local?: LocalChange): void {}

  /** This process committed a change in a space (its notification follows). */
  committed(spaceId: string, local?: LocalChange): void {
    this.#channels.get(spaceId)?.committed(local);
  }

  /** Flushes every watched space whose head moved past what was sent: one query in all. */
  async pollHeads(): Promise<void> {
    const ids = [...this.#channels.keys()];
    if (ids.length === 0) return;
    try {
      this.metrics.dbQueries++;
      const heads = await this.source.heads(ids);
      for (const [spaceId, head] of heads) {
        const channel = this.#channels.get(spaceId);
        const readThrough = channel?.readThrough;
        if (readThrough !== undefined && head > readThrough) channel?.notify();
      }
    } catch (error) {
      console.error("[sync] safety poll failed:", (error as Error).message);
    }
  }

  /** Closes matching streams, whatever stage they are at (a revocation must not miss one). */
  closeWhere(match: (info: SubscriberInfo) => boolean, reason: CloseReason): number {
    let closed = 0;
    for (const subscriber of [...this.#subscribers]) {
      if (match(subscriber.info)) {
        subscriber.close(reason);
        closed++;
      }
    }
    return closed;
  }

  /** Stops listening and ends every stream; clients resume on another instance. */
  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    clearInterval(this.#poll);
    for (const timer of this.#idleTimers.values()) clearTimeout(timer);
    this.closeWhere(() => true, "shutdown");
    for (const channel of this.#channels.values()) channel.dispose();
    this.#channels.clear();
    await Promise.allSettled(this.#unlisten.map((unlisten) => unlisten()));
  }

  #channel(spaceId: string): SpaceChannel {
    clearTimeout(this.#idleTimers.get(spaceId));
    this.#idleTimers.delete(spaceId);
    let channel = this.#channels.get(spaceId);
    if (!channel) {
      channel = new SpaceChannel(spaceId, {
        source: this.source,
        settings: this.settings,
        metrics: this.metrics,
      });
      this.#channels.set(spaceId, channel);
      this.metrics.activeSpaces = this.#channels.size;
    }
    return channel;
  }

  /**
   * A stream ended: it leaves the channel of each of its seats. A channel outlives its last
   * seat, so the one under the seat's space is the one it joined.
   */
  #closed(subscriber: Subscriber, seats: readonly Seat[], reason: CloseReason): void {
    const { beingId, address } = subscriber.info;
    count(this.#streamsByBeing, beingId, -1);
    count(this.#streamsByAddress, address, -1);
    this.#subscribers.delete(subscriber);
    this.metrics.openStreams--;
    if (reason === "slow-consumer") this.metrics.slowConsumerCutoffs++;
    for (const seat of seats) {
      const channel = this.#channels.get(seat.spaceId);
      if (!channel) continue;
      channel.leave(seat);
      if (channel.subscriberCount === 0 && !this.#shuttingDown) this.#idle(channel);
    }
  }

  /** A channel without subscribers outlives them a while, for quick resumes. */
  #idle(channel: SpaceChannel): void {
    const { spaceId } = channel;
    clearTimeout(this.#idleTimers.get(spaceId));
    this.#idleTimers.set(
      spaceId,
      setTimeout(() => {
        this.#idleTimers.delete(spaceId);
        if (channel.subscriberCount > 0) return;
        channel.dispose();
        this.#channels.delete(spaceId);
        this.metrics.activeSpaces = this.#channels.size;
      }, CHANNEL_IDLE_MS),
    );
  }
}

const noop = () => {};

/** Moves a per-key stream count, forgetting keys that reach zero. */
function count(counts: Map<string, number>, key: string, by: 1 | -1): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}
