import {
  applyFrame,
  type ConnectionEvent,
  type ConnectionSettings,
  type ConnectionState,
  type Cursor,
  DEFAULT_CONNECTION_SETTINGS,
  type EventOutcome,
  type Intention,
  initialState,
  mergePage,
  nextWakeAt,
  type PageOutcome,
  realTimers,
  SYNC_EVENT_TYPE,
  type SyncState,
  type Timers,
  transition,
} from "@rhizome/protocol";
import { definedOnly } from "./options.ts";
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
 * the stream, and a transport. No UI and no globals, so that the browser store, the chaos
 * suite and the tests all run this same resume logic.
 */
export class SyncClient {
  #sync: SyncState;
  #connection: ConnectionState = { status: "idle" };
  #abort: AbortController | undefined;
  /** Counts opened streams, so that messages of a stream we closed are ignored. */
  #generation = 0;
  #wake: unknown;
  readonly #listeners = new Set<Listener>();
  readonly #frameListeners = new Set<(record: FrameRecord) => void>();
  readonly #options: Required<Omit<SyncClientOptions, "cursor">>;
  /** The machine's settings; the watchdog follows the heartbeat the server announces. */
  #settings: ConnectionSettings;

  constructor(options: SyncClientOptions) {
    this.#options = {
      settings: DEFAULT_CONNECTION_SETTINGS,
      now: Date.now,
      random: Math.random,
      timers: realTimers,
      ...definedOnly(options),
    };
    this.#sync = initialState(options.spaceId, options.cursor ?? null);
    this.#settings = this.#options.settings;
  }

  get sync(): SyncState {
    return this.#sync;
  }

  get connection(): ConnectionState {
    return this.#connection;
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
    this.#dispatch({ type: "start" });
  }

  stop(): void {
    this.#dispatch({ type: "stop" });
    this.#options.timers.clearTimeout(this.#wake);
  }

  /** The browser went offline or online (its `offline` / `online` events). */
  setOnline(online: boolean): void {
    this.#dispatch({ type: online ? "online" : "offline" });
  }

  /** Ends the current stream as a network failure would (tests, chaos). */
  dropConnection(reason = "dropped by caller"): void {
    if (this.#connection.status === "live" || this.#connection.status === "connecting") {
      this.#dispatch({ type: "dropped", reason });
    }
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

  #dispatch(event: ConnectionEvent): void {
    const { state, effects } = transition(this.#connection, event, {
      now: this.#options.now(),
      random: this.#options.random(),
      settings: this.#settings,
    });
    const changed = state !== this.#connection;
    this.#connection = state;
    for (const effect of effects) {
      if (effect.type === "close") this.#close();
      else this.#open();
    }
    this.#scheduleWake();
    if (changed) this.#emit();
  }

  #scheduleWake(): void {
    const { timers, now } = this.#options;
    timers.clearTimeout(this.#wake);
    const at = nextWakeAt(this.#connection, this.#settings);
    if (at === undefined) return;
    this.#wake = timers.setTimeout(() => this.#dispatch({ type: "tick" }), Math.max(0, at - now()));
  }

  #close(): void {
    this.#generation++;
    this.#abort?.abort();
    this.#abort = undefined;
  }

  #open(): void {
    this.#close();
    const generation = this.#generation;
    const abort = new AbortController();
    this.#abort = abort;
    void this.#pump(generation, abort.signal);
  }

  async #pump(generation: number, signal: AbortSignal): Promise<void> {
    const current = () => generation === this.#generation;
    try {
      const opened = await this.#options.transport(
        { spaceId: this.#sync.spaceId, since: this.#sync.cursor ?? undefined },
        signal,
      );
      if (!current()) return;
      if (!opened.ok) {
        this.#dispatch({
          type: "refused",
          status: opened.status,
          ...(opened.retryAfterMs === undefined ? {} : { retryAfterMs: opened.retryAfterMs }),
        });
        return;
      }
      if (opened.heartbeatMs)
        this.#settings = { ...this.#settings, heartbeatMs: opened.heartbeatMs };
      for await (const message of opened.messages) {
        if (!current()) return;
        if (message.event !== SYNC_EVENT_TYPE) continue;
        if (!this.#apply(message.data, generation)) return;
      }
      if (current()) this.#dispatch({ type: "dropped", reason: "the stream ended" });
    } catch (error) {
      if (current())
        this.#dispatch({ type: "dropped", reason: (error as Error)?.message ?? "network error" });
    }
  }

  /** Applies one frame; false when the stream must be abandoned (gap or garbage). */
  #apply(data: string, connection: number): boolean {
    const { state, outcome } = applyFrame(this.#sync, data);
    const changed = state !== this.#sync;
    this.#sync = state;
    for (const listener of this.#frameListeners) listener({ data, outcome, connection });
    if (outcome.kind === "gap") {
      this.#dispatch({ type: "gap" });
      return false;
    }
    if (outcome.kind === "rejected") {
      this.#dispatch({ type: "dropped", reason: `bad frame: ${outcome.detail}` });
      return false;
    }
    this.#dispatch({ type: "frame" });
    if (changed) this.#emit();
    return true;
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
