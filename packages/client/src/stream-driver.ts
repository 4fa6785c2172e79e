import {
  type ConnectionEvent,
  type ConnectionSettings,
  type ConnectionState,
  DEFAULT_CONNECTION_SETTINGS,
  nextWakeAt,
  realTimers,
  SYNC_EVENT_TYPE,
  type Timers,
  transition,
} from "@rhizome/protocol";
import { definedOnly } from "./options.ts";
import type { OpenedStream } from "./transport.ts";

/**
 * What a frame did to the owner's data: go on, or abandon this stream. `notify` runs once the
 * machine has taken the frame, so that listeners already see the connection live.
 */
export type FrameVerdict =
  | { kind: "continue"; notify?: () => void }
  | { kind: "gap" }
  | { kind: "bad"; detail: string };

/** What the owner of a stream knows: how to open it and how to apply a frame. */
export type StreamHooks = {
  open(signal: AbortSignal): Promise<OpenedStream>;
  /** One `space-delta` payload of stream number `connection`. */
  frame(data: string, connection: number): FrameVerdict;
  /** Answers a refusal itself (true) instead of the machine, e.g. a 404 to refetch. */
  refused?(status: number, connection: number): boolean;
  /** The connection state changed. */
  changed(): void;
};

export type DriverOptions = {
  settings?: ConnectionSettings;
  now?: () => number;
  random?: () => number;
  timers?: Timers;
};

/**
 * The one resume loop: runs the protocol's connection machine, opens and closes streams as
 * it says, feeds their frames to the owner and wakes the machine on time. `SyncClient` (one
 * space) and `MultiSyncClient` (many) differ only in their hooks.
 */
export class StreamDriver {
  #connection: ConnectionState = { status: "idle" };
  #abort: AbortController | undefined;
  /** Counts opened streams, so that messages of a stream we closed are ignored. */
  #generation = 0;
  #wake: unknown;
  readonly #hooks: StreamHooks;
  readonly #options: Required<DriverOptions>;
  /** The machine's settings; the watchdog follows the heartbeat the server announces. */
  #settings: ConnectionSettings;

  constructor(hooks: StreamHooks, options: DriverOptions = {}) {
    this.#hooks = hooks;
    this.#options = {
      settings: DEFAULT_CONNECTION_SETTINGS,
      now: Date.now,
      random: Math.random,
      timers: realTimers,
      ...definedOnly(options),
    };
    this.#settings = this.#options.settings;
  }

  get connection(): ConnectionState {
    return this.#connection;
  }

  /** Whether stream number `connection` is still the open one. */
  isCurrent(connection: number): boolean {
    return connection === this.#generation;
  }

  stop(): void {
    this.dispatch({ type: "stop" });
    this.#options.timers.clearTimeout(this.#wake);
  }

  /** Ends the current stream as a network failure would (tests, chaos). */
  drop(reason: string): void {
    if (this.#connection.status === "live" || this.#connection.status === "connecting") {
      this.dispatch({ type: "dropped", reason });
    }
  }

  dispatch(event: ConnectionEvent): void {
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
    if (changed) this.#hooks.changed();
  }

  #scheduleWake(): void {
    const { timers, now } = this.#options;
    timers.clearTimeout(this.#wake);
    const at = nextWakeAt(this.#connection, this.#settings);
    if (at === undefined) return;
    this.#wake = timers.setTimeout(() => this.dispatch({ type: "tick" }), Math.max(0, at - now()));
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
    const current = () => this.isCurrent(generation);
    try {
      const opened = await this.#hooks.open(signal);
      if (!current()) return;
      if (!opened.ok) {
        if (this.#hooks.refused?.(opened.status, generation)) return;
        this.dispatch({
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
        if (!this.#frame(message.data, generation)) return;
      }
      if (current()) this.dispatch({ type: "dropped", reason: "the stream ended" });
    } catch (error) {
      if (current())
        this.dispatch({ type: "dropped", reason: (error as Error)?.message ?? "network error" });
    }
  }

  /** Applies one frame; false when the stream must be abandoned (gap or garbage). */
  #frame(data: string, connection: number): boolean {
    const verdict = this.#hooks.frame(data, connection);
    if (verdict.kind === "gap") {
      this.dispatch({ type: "gap" });
      return false;
    }
    if (verdict.kind === "bad") {
      this.dispatch({ type: "dropped", reason: `bad frame: ${verdict.detail}` });
      return false;
    }
    this.dispatch({ type: "frame" });
    verdict.notify?.();
    return true;
  }
}
