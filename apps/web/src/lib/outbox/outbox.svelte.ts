import { definedOnly } from "@rhizome/client";
import { type Cursor, type Intention, realTimers, type Timers } from "@rhizome/protocol";
import {
  adopt,
  applyResult,
  createEntry,
  type DisplayIntention,
  type Dropped,
  enqueue,
  lastWrittenBySpace,
  nextToSend,
  nextWakeAt,
  type OutboxEntry,
  reconcile,
  retryNow,
  type SendResult,
  withPending,
} from "./outbox.ts";

export type Sender = (entry: OutboxEntry) => Promise<SendResult>;

/** Where entries survive a reload (localStorage in the browser). */
export type OutboxStore = {
  load(): OutboxEntry[];
  save(entries: readonly OutboxEntry[]): void;
  /** Hands over the entries other tabs left behind when they went; returns a stop. */
  adopt?(onAdopted: (entries: OutboxEntry[]) => void): () => void;
  /** The being's other open tabs' entries, now and on every change; returns a stop. */
  watchOthers?(onChange: (entries: OutboxEntry[]) => void): () => void;
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

/**
 * Drives the pure outbox: persists every change, sends one entry at a time, waits out the
 * backoff, and keeps what the user must hear about (messages the server refused).
 */
export class Outbox {
  #entries = $state.raw<readonly OutboxEntry[]>([]);
  #dropped = $state.raw<readonly Dropped[]>([]);
  #sending = false;
  #disposed = false;
  /** The server answered 401: nothing is sent until `resume()` (a sign-in) or `retryNow()`. */
  #held = false;
  #wake: unknown;
  #stopAdopting: () => void;
  #stopWatching: () => void;
  /** Other tabs' entries still to send: shown here too (an id this tab holds shows once). */
  #others = $state.raw<readonly OutboxEntry[]>([]);
  readonly #options: Required<OutboxOptions>;

  constructor(options: OutboxOptions) {
    this.#options = {
      now: Date.now,
      random: Math.random,
      newId: () => crypto.randomUUID(),
      timers: realTimers,
      online: browserOnline,
      ...definedOnly(options),
    };
    this.#entries = this.#options.store.load();
    this.#stopAdopting =
      this.#options.store.adopt?.((adopted) => {
        if (this.#disposed) return;
        this.#set(adopt(this.#entries, adopted));
        this.#pump();
      }) ?? (() => {});
    this.#stopWatching =
      this.#options.store.watchOthers?.((others) => {
        if (!this.#disposed) this.#others = others;
      }) ?? (() => {});
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

  /** The window with the being's pending entries of the same space (every tab's) after it. */
  display(spaceId: string, window: readonly Intention[]): DisplayIntention[] {
    return withPending(window, adopt(this.#entries, this.#others), spaceId);
  }

  /** When the being last wrote in each space, of the entries not yet synced (every tab's). */
  lastWritten(): Map<string, Cursor> {
    return lastWrittenBySpace(adopt(this.#entries, this.#others));
  }

  /** The network is back (the browser's `online` event): stop waiting out backoff. */
  retryNow(): void {
    this.#held = false;
    this.#set(retryNow(this.#entries, this.#options.now()));
    this.#pump();
  }

  /** Signed in (again): send what a 401 held back. */
  resume(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#pump();
  }

  /** Whether a 401 holds the entries back until the next sign-in. */
  get held(): boolean {
    return this.#held;
  }

  dismiss(dropped: Dropped): void {
    this.#dropped = this.#dropped.filter((item) => item !== dropped);
  }

  dispose(): void {
    this.#disposed = true;
    this.#stopAdopting();
    this.#stopWatching();
    this.#options.timers.clearTimeout(this.#wake);
  }

  #set(entries: readonly OutboxEntry[]): void {
    this.#entries = entries;
    this.#options.store.save(entries);
  }

  #pump(): void {
    if (this.#sending || this.#disposed || this.#held) return;
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
    if (result.kind === "held") this.#held = true;
    this.#pump();
  }
}
