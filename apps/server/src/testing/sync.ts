import { SseParser } from "@rhizome/client";
import { ManualClock } from "@rhizome/client/testing";
import {
  applyFrame,
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
import { Subscriber } from "../sync/subscriber.ts";
import { ModelSource } from "./model-source.ts";

export const SPACE = "00000000-0000-4000-8000-000000000001";
export const AUTHOR = "00000000-0000-4000-8000-00000000000a";

/** A subscriber with the reducer of a client reading it, and every frame it received. */
export class TestClient {
  readonly subscriber = new Subscriber(
    { spaceId: SPACE, beingId: AUTHOR, sessionKey: "s", address: "127.0.0.1" },
    1 << 30,
  );
  state: SyncState;
  readonly outcomes: EventOutcome[] = [];
  readonly events: SyncEvent[] = [];
  readonly #parser = new SseParser();

  constructor(cursor?: string, window: Intention[] = []) {
    this.state = { ...initialState(SPACE, cursor ?? null), window };
    void this.#read();
  }

  async #read() {
    const decoder = new TextDecoder();
    for await (const chunk of this.subscriber.stream) {
      for (const message of this.#parser.feed(decoder.decode(chunk))) {
        const parsed = parseSyncEvent(message.data);
        if (parsed.ok) this.events.push(parsed.event);
        const result = applyFrame(this.state, message.data);
        this.state = result.state;
        this.outcomes.push(result.outcome);
      }
    }
  }
}

export const DEFAULT_TEST_SETTINGS: SyncSettings = {
  batchMs: 100,
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
  /** Runs queued work and lets readers catch up. */
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await channel.idle();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  const join = async (cursor?: string) => {
    const client = new TestClient(cursor, cursor ? (source.snapshots.get(cursor) ?? []) : []);
    channel.join(client.subscriber, cursor);
    await settle();
    return client;
  };
  return { source, clock, metrics, channel, settle, join };
}
