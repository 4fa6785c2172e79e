import type { StoredWindow } from "@rhizome/client";
import type { SyncState } from "@rhizome/protocol";
import type { Channel, Locks } from "../links.ts";
import type { LocalCopy } from "../local-copy.ts";

type Waiter = { callback: () => Promise<void>; done: (value: unknown) => void };

/** Web Locks in memory: one holder per name, granted in request order, released when done. */
export class FakeLocks implements Locks {
  readonly #queues = new Map<string, Waiter[]>();
  readonly #held = new Set<string>();

  request(name: string, callback: () => Promise<void>): Promise<unknown> {
    return new Promise((done) => {
      const queue = this.#queues.get(name) ?? [];
      queue.push({ callback, done });
      this.#queues.set(name, queue);
      this.#grant(name);
    });
  }

  held(name: string): boolean {
    return this.#held.has(name);
  }

  #grant(name: string): void {
    if (this.#held.has(name)) return;
    const next = this.#queues.get(name)?.shift();
    if (!next) return;
    this.#held.add(name);
    void Promise.resolve()
      .then(() => next.callback())
      .then(next.done, next.done)
      .finally(() => {
        this.#held.delete(name);
        this.#grant(name);
      });
  }
}

/** BroadcastChannels in memory: a message reaches every other open channel of its name, cloned. */
export class FakeBus {
  readonly #channels = new Map<string, Set<FakeChannel>>();

  open = (name: string): Channel => {
    const channel = new FakeChannel(name, this);
    const group = this.#channels.get(name) ?? new Set();
    group.add(channel);
    this.#channels.set(name, group);
    return channel;
  };

  deliver(from: FakeChannel, message: unknown): void {
    for (const channel of this.#channels.get(from.name) ?? []) {
      if (channel === from) continue;
      const copy = structuredClone(message);
      queueMicrotask(() => channel.receive(copy));
    }
  }

  remove(channel: FakeChannel): void {
    this.#channels.get(channel.name)?.delete(channel);
  }
}

class FakeChannel implements Channel {
  readonly #listeners = new Set<(event: MessageEvent) => void>();
  #closed = false;

  constructor(
    readonly name: string,
    readonly bus: FakeBus,
  ) {}

  postMessage(message: unknown): void {
    if (!this.#closed) this.bus.deliver(this, message);
  }

  addEventListener(_type: "message", listener: (event: MessageEvent) => void): void {
    this.#listeners.add(listener);
  }

  receive(data: unknown): void {
    if (this.#closed) return;
    for (const listener of this.#listeners) listener({ data } as MessageEvent);
  }

  close(): void {
    this.#closed = true;
    this.bus.remove(this);
  }
}

/** A local copy in memory, shared by the fake tabs as IndexedDB is by real ones. */
export class MemoryCopy implements LocalCopy {
  readonly saved = new Map<string, StoredWindow>();

  async load(): Promise<Map<string, StoredWindow>> {
    return new Map(this.saved);
  }

  async save(states: readonly SyncState[]): Promise<void> {
    for (const state of states)
      if (state.cursor)
        this.saved.set(state.spaceId, { cursor: state.cursor, window: state.window });
  }
}

export const settle = async (rounds = 5) => {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};
