import type { SyncClientOptions } from "@rhizome/client";
import type { Cursor, Intention } from "@rhizome/protocol";
import {
  applyResult,
  createEntry,
  type DisplayIntention,
  type Dropped,
  enqueue,
  nextToSend,
  nextWakeAt,
  type OutboxEntry,
  reconcile,
  retryNow,
  type SendResult,
  withPending,
} from "./outbox.ts";

/** Timer functions as a dependency (the same shape the sync client takes). */
type Timers = NonNullable<SyncClientOptions["timers"]>;

export type Sender = (entry: OutboxEntry) => Promise<SendResult>;

/** Where entries survive a reload (localStorage in the browser). */
export type OutboxStore = {
  load(): OutboxEntry[];
  save(entries: readonly OutboxEntry[]): void;
};

export type OutboxOptions = {
  send: Sender;
  store: OutboxStore;
  now?: () => number;
  random?: () => number;
  newId?: () => string;
  timers?: Timers;
  /** False while the browser knows it is offline: nothing is sent until `retryNow()`. */
  online?: () => boolean;
};

const browserOnline = () => typeof navigator === "undefined" || navigator.onLine !== false;

const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Drives the pure outbox: persists every change, sends one entry at a time, waits out the
 * backoff, and keeps what the user must hear about (messages the server refused).
 */
export class Outbox {
  #entries = $state.raw<readonly OutboxEntry[]>([]);
  #dropped = $state.raw<readonly Dropped[]>([]);
  #sending = false;
  #disposed = false;
  #wake: unknown;
  readonly #options: Required<OutboxOptions>;

  constructor(options: OutboxOptions) {
    this.#options = {
      now: Date.now,
      random: Math.random,
      newId: () => crypto.randomUUID(),
      timers: realTimers,
      online: browserOnline,
      ...options,
    };
    this.#entries = this.#options.store.load();
    this.#pump();
  }

  get entries(): readonly OutboxEntry[] {
    return this.#entries;
  }

  /** Messages the server refused, for the user to see (and dismiss). */
  get dropped(): readonly Dropped[] {
    return this.#dropped;
  }

  /** Writes an intention: it shows at once as pending and is sent as soon as possible. */
  post(spaceId: string, authorId: string, content: string): OutboxEntry {
    const entry = createEntry({
      id: this.#options.newId(),
      spaceId,
      authorId,
      content,
      now: this.#options.now(),
    });
    this.#set(enqueue(this.#entries, entry));
    this.#pump();
    return entry;
  }

  /** The synced window of `spaceId` moved: drop what it now accounts for. */
  reconcile(spaceId: string, window: readonly Intention[], cursor: Cursor | null): void {
    const next = reconcile(this.#entries, spaceId, new Set(window.map((item) => item.id)), cursor);
    if (next.length !== this.#entries.length) this.#set(next);
  }

  /** The window with this outbox's pending entries of the same space after it. */
  display(spaceId: string, window: readonly Intention[]): DisplayIntention[] {
    return withPending(window, this.#entries, spaceId);
  }

  /** The network is back (the browser's `online` event): stop waiting out backoff. */
  retryNow(): void {
    this.#set(retryNow(this.#entries, this.#options.now()));
    this.#pump();
  }

  dismiss(dropped: Dropped): void {
    this.#dropped = this.#dropped.filter((item) => item !== dropped);
  }

  dispose(): void {
    this.#disposed = true;
    this.#options.timers.clearTimeout(this.#wake);
  }

  #set(entries: readonly OutboxEntry[]): void {
    this.#entries = entries;
    this.#options.store.save(entries);
  }

  #pump(): void {
    if (this.#sending || this.#disposed) return;
    const { timers, now, online } = this.#options;
    timers.clearTimeout(this.#wake);
    // Known offline: no attempt can succeed; the `online` event calls `retryNow()`.
    if (!online()) return;
    const entry = nextToSend(this.#entries, now());
    if (!entry) {
      const at = nextWakeAt(this.#entries);
      if (at !== undefined) this.#wake = timers.setTimeout(() => this.#pump(), at - now());
      return;
    }
    this.#sending = true;
    void this.#send(entry);
  }

  async #send(entry: OutboxEntry): Promise<void> {
    let result: SendResult;
    try {
      result = await this.#options.send(entry);
    } catch (error) {
      result = { kind: "retry", reason: (error as Error)?.message ?? "send failed" };
    }
    this.#sending = false;
    if (this.#disposed) return;
    const applied = applyResult(this.#entries, entry.id, result, {
      now: this.#options.now(),
      random: this.#options.random(),
    });
    this.#set(applied.entries);
    if (applied.dropped) this.#dropped = [...this.#dropped, applied.dropped];
    this.#pump();
  }
}
