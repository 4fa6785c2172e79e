import {
  applyFrame,
  type ConnectionSettings,
  type ConnectionState,
  type Cursor,
  type EventOutcome,
  type Intention,
  initialState,
  mergePage,
  type PageOutcome,
  type SyncState,
  type Timers,
} from "@rhizome/protocol";
import { type FrameVerdict, StreamDriver } from "./stream-driver.ts";
import type { StreamTransport } from "./transport.ts";

export type SyncClientOptions = {
  spaceId: string;
  transport: StreamTransport;
  /** Resume from here (a cursor kept from an earlier session); otherwise start with a reset. */
  cursor?: Cursor;
  settings?: ConnectionSettings;
  now?: () => number;
  random?: () => number;
  timers?: Timers;
};

/** Every frame applied, with its outcome: what tests and the chaos suite audit. */
export type FrameRecord = { data: string; outcome: EventOutcome; connection: number };
type Listener = () => void;

/**
 * One space, kept in sync: the protocol's reducer for the data, its connection machine for
 * the stream (through `StreamDriver`), and a transport. No UI and no globals, so that the
 * browser store, the chaos suite and the tests all run this same resume logic.
 */
export class SyncClient {
  #sync: SyncState;
  readonly #driver: StreamDriver;
  readonly #listeners = new Set<Listener>();
  readonly #frameListeners = new Set<(record: FrameRecord) => void>();

  constructor(options: SyncClientOptions) {
    const { transport } = options;
    this.#sync = initialState(options.spaceId, options.cursor ?? null);
    this.#driver = new StreamDriver(
      {
        open: (signal) =>
          transport({ spaceId: this.#sync.spaceId, since: this.#sync.cursor ?? undefined }, signal),
        frame: (data, connection) => this.#apply(data, connection),
        changed: () => this.#emit(),
      },
      options,
    );
  }

  get sync(): SyncState {
    return this.#sync;
  }

  get connection(): ConnectionState {
    return this.#driver.connection;
  }

  get intentions(): readonly Intention[] {
    return this.#sync.window;
  }

  /** Called after every change of data or connection state. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onFrame(listener: (record: FrameRecord) => void): () => void {
    this.#frameListeners.add(listener);
    return () => this.#frameListeners.delete(listener);
  }

  start(): void {
    this.#driver.dispatch({ type: "start" });
  }

  stop(): void {
    this.#driver.stop();
  }

  /** The browser went offline or online (its `offline` / `online` events). */
  setOnline(online: boolean): void {
    this.#driver.dispatch({ type: online ? "online" : "offline" });
  }

  /** Ends the current stream as a network failure would (tests, chaos). */
  dropConnection(reason = "dropped by caller"): void {
    this.#driver.drop(reason);
  }

  /** Merges a history page requested in `epoch` (`sync.epoch` when it was requested). */
  mergeHistory(page: readonly Intention[], epoch: number): PageOutcome {
    const { state, outcome } = mergePage(this.#sync, page, epoch);
    if (state !== this.#sync) {
      this.#sync = state;
      this.#emit();
    }
    return outcome;
  }

  #apply(data: string, connection: number): FrameVerdict {
    const { state, outcome } = applyFrame(this.#sync, data);
    const changed = state !== this.#sync;
    this.#sync = state;
    for (const listener of this.#frameListeners) listener({ data, outcome, connection });
    if (outcome.kind === "gap") return { kind: "gap" };
    if (outcome.kind === "rejected") return { kind: "bad", detail: outcome.detail };
    return changed ? { kind: "continue", notify: () => this.#emit() } : { kind: "continue" };
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
