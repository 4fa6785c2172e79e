import { SseParser } from "@rhizome/client";
import { ManualClock } from "@rhizome/client/testing";
import {
  applyFrame,
  type Cursor,
  type EventOutcome,
  type Intention,
  initialState,
  parseSyncEvent,
  type SyncEvent,
  type SyncState,
} from "@rhizome/protocol";
import { SpaceChannel } from "../sync/channel.ts";
import { SyncMetrics } from "../sync/metrics.ts";
import type { SyncSettings } from "../sync/source.ts";
import { type SendResult, Subscriber } from "../sync/subscriber.ts";
import { ModelSource } from "./model-source.ts";

export const SPACE = "00000000-0000-4000-8000-000000000001";
export const AUTHOR = "00000000-0000-4000-8000-00000000000a";

/** A subscriber that counts the bytes it queued, so that a test can wait for its reader. */
class CountingSubscriber extends Subscriber {
  sentBytes = 0;

  override send(frame: Uint8Array, cursor: Cursor): SendResult {
    const result = super.send(frame, cursor);
    if (result !== "closed") this.sentBytes += frame.byteLength;
    return result;
  }
}

/** Every reader made so far: `settle()` waits until each has read what it was sent. */
const readers = new Set<TestClient>();

/** A subscriber with the reducer of a client reading it, and every frame it received. */
export class TestClient {
  readonly subscriber = new CountingSubscriber(
    { spaceIds: [SPACE], beingId: AUTHOR, sessionKey: "s", address: "127.0.0.1" },
    1 << 30,
  );
  state: SyncState;
  readonly outcomes: EventOutcome[] = [];
  readonly events: SyncEvent[] = [];
  readonly #parser = new SseParser();
  #readBytes = 0;
  #ended = false;

  constructor(cursor?: string, window: Intention[] = []) {
    this.state = { ...initialState(SPACE, cursor ?? null), window };
    readers.add(this);
    void this.#read();
  }

  /** Whether every byte queued for this reader has been read and applied. */
  get caughtUp(): boolean {
    return this.#ended || this.#readBytes === this.subscriber.sentBytes;
  }

  async #read() {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of this.subscriber.stream) {
        for (const message of this.#parser.feed(decoder.decode(chunk))) {
          const parsed = parseSyncEvent(message.data);
          if (parsed.ok) this.events.push(parsed.event);
          const result = applyFrame(this.state, message.data);
          this.state = result.state;
          this.outcomes.push(result.outcome);
        }
        this.#readBytes += chunk.byteLength;
      }
    } finally {
      this.#ended = true;
      readers.delete(this);
    }
  }
}

export const DEFAULT_TEST_SETTINGS: SyncSettings = {
  batchMs: 100,
  batchAudience: 1,
  maxBatch: 10,
  catchupLimit: 4,
  pageSize: 1000,
  heartbeatMs: 500,
  maxBufferBytes: 1 << 30,
};

/** A channel over an in-memory space, with hand-driven timers. */
export function channelRig(settings: Partial<SyncSettings> = {}) {
  const source = new ModelSource(SPACE);
  const clock = new ManualClock();
  const metrics = new SyncMetrics();
  const channel = new SpaceChannel(SPACE, {
    source,
    settings: { ...DEFAULT_TEST_SETTINGS, ...settings },
    metrics,
    timers: clock.timers,
  });
  /**
   * Runs queued work until none is left and every reader has read all it was sent, so that a
   * negative assertion after it ("no frame came") is not merely early.
   */
  const settle = async () => {
    for (let round = 0; round < 1000; round++) {
      const queue = channel.idle();
      await queue;
      const quiet = channel.idle() === queue;
      if (quiet && [...readers].every((reader) => reader.caughtUp)) return;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    throw new Error("settle: the channel kept working or a reader never caught up");
  };
  const join = async (cursor?: string) => {
    const client = new TestClient(cursor, cursor ? (source.snapshots.get(cursor) ?? []) : []);
    channel.join(client.subscriber, cursor);
    await settle();
    return client;
  };
  return { source, clock, metrics, channel, settle, join };
}
