import {
  definedOnly,
  type FrameRecord,
  fetchTransport,
  type StreamTransport,
  SyncClient,
} from "@rhizome/client";
import {
  type ConnectionLabel,
  type ConnectionSettings,
  type ConnectionState,
  type Cursor,
  connectionLabel,
  DEFAULTS,
  type Intention,
  type Timers,
} from "@rhizome/protocol";
import { createSubscriber } from "svelte/reactivity";

export type HistoryPage = { intentions: Intention[]; hasMore: boolean };
/** Fetches live intentions created before `before` (the latest when absent), oldest first. */
export type HistoryLoader = (
  spaceId: string,
  before: Cursor | undefined,
  limit: number,
) => Promise<HistoryPage>;

/** The browser's online/offline signal (window and navigator in the browser). */
export type NetworkSignal = {
  readonly online: boolean;
  addEventListener(type: "online" | "offline", listener: () => void): void;
  removeEventListener(type: "online" | "offline", listener: () => void): void;
};

/** Older history: `hasMore` is null until a page has told us. */
export type HistoryStatus = {
  loading: boolean;
  hasMore: boolean | null;
  error: string | null;
};

export type LoadOlderOutcome = "loaded" | "stale" | "busy" | "exhausted" | "not-ready" | "failed";

export type SpaceSyncOptions = {
  spaceId: string;
  transport?: StreamTransport;
  loadHistory: HistoryLoader;
  network?: NetworkSignal | undefined;
  settings?: ConnectionSettings;
  now?: () => number;
  random?: () => number;
  timers?: Timers;
  pageSize?: number;
};

const IDLE_HISTORY: HistoryStatus = { loading: false, hasMore: null, error: null };

/** The browser's network signal, when there is a browser. */
export function browserNetwork(): NetworkSignal | undefined {
  if (typeof window === "undefined" || typeof navigator === "undefined") return undefined;
  return {
    get online() {
      return navigator.onLine;
    },
    addEventListener: (type, listener) => window.addEventListener(type, listener),
    removeEventListener: (type, listener) => window.removeEventListener(type, listener),
  };
}

/**
 * One space kept in sync, for the UI: the headless `SyncClient` (reducer, connection machine,
 * backoff, gap and reset handling) behind reactive getters. The stream and the network
 * listeners are attached only while something reads the store (or holds `retain()`).
 */
export class SpaceSync {
  readonly spaceId: string;
  readonly #client: SyncClient;
  readonly #options: SpaceSyncOptions & { now: () => number; pageSize: number };
  readonly #subscribe: () => void;

  #intentions = $state.raw<readonly Intention[]>([]);
  #connection = $state.raw<ConnectionState>({ status: "idle" });
  #cursor = $state.raw<Cursor | null>(null);
  #lastSyncedAt = $state.raw<number | null>(null);
  #history = $state.raw<HistoryStatus>(IDLE_HISTORY);
  #epoch = 0;
  #holders = 0;
  #detach: (() => void) | undefined;

  constructor(options: SpaceSyncOptions) {
    this.spaceId = options.spaceId;
    this.#options = { now: Date.now, pageSize: DEFAULTS.pageSize, ...definedOnly(options) };
    // Options left out arrive as undefined: the client takes its defaults for them.
    this.#client = new SyncClient({
      spaceId: options.spaceId,
      transport: options.transport ?? fetchTransport(),
      settings: options.settings,
      now: options.now,
      random: options.random,
      timers: options.timers,
    });
    this.#subscribe = createSubscriber(() => this.retain());
  }

  /** The synced window, ordered by `createdAt`. */
  get intentions(): readonly Intention[] {
    this.#subscribe();
    return this.#intentions;
  }

  get connection(): ConnectionState {
    this.#subscribe();
    return this.#connection;
  }

  /** The public state: live, connecting, reconnecting or offline. */
  get label(): ConnectionLabel {
    return connectionLabel(this.connection);
  }

  /** Where the stream resumes from; null before the first reset. */
  get cursor(): Cursor | null {
    this.#subscribe();
    return this.#cursor;
  }

  /** When a frame last confirmed our position (client clock, ms). */
  get lastSyncedAt(): number | null {
    this.#subscribe();
    return this.#lastSyncedAt;
  }

  get history(): HistoryStatus {
    this.#subscribe();
    return this.#history;
  }

  /** Every frame with its reducer outcome (tests and diagnostics). */
  onFrame(listener: (record: FrameRecord) => void): () => void {
    return this.#client.onFrame(listener);
  }

  /**
   * Keeps the stream open until the returned function is called. Holders are counted:
   * the first opens the stream and listens to the network, the last one closes both.
   */
  retain(): () => void {
    if (this.#holders++ === 0) this.#attach();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#holders === 0) {
        this.#detach?.();
        this.#detach = undefined;
      }
    };
  }

  /**
   * Loads the page before the oldest intention in the window. A page requested before a
   * reset is dropped, and deletions or edits seen meanwhile win over it (the reducer's rules).
   */
  async loadOlder(): Promise<LoadOlderOutcome> {
    const history = this.#history;
    if (history.loading) return "busy";
    if (history.hasMore === false) return "exhausted";
    const sync = this.#client.sync;
    if (sync.cursor === null) return "not-ready";
    const epoch = sync.epoch;
    const before = sync.window[0]?.createdAt;
    this.#history = { ...history, loading: true, error: null };
    let page: HistoryPage;
    try {
      page = await this.#options.loadHistory(this.spaceId, before, this.#options.pageSize);
    } catch (error) {
      if (this.#epoch === epoch) {
        this.#history = { ...this.#history, loading: false, error: (error as Error).message };
      }
      return "failed";
    }
    const outcome = this.#client.mergeHistory(page.intentions, epoch);
    if (outcome.kind === "stale") {
      this.#history = { ...this.#history, loading: false };
      return "stale";
    }
    this.#history = { loading: false, hasMore: page.hasMore, error: null };
    this.#pull();
    return "loaded";
  }

  #attach(): void {
    const client = this.#client;
    const offClient = client.subscribe(() => this.#pull());
    const offFrame = client.onFrame((record) => this.#onFrame(record));
    const network = this.#options.network;
    const online = () => client.setOnline(true);
    const offline = () => client.setOnline(false);
    network?.addEventListener("online", online);
    network?.addEventListener("offline", offline);
    // Known to be offline: no point in a first attempt, wait for `online`.
    if (network && !network.online) client.setOnline(false);
    client.start();
    this.#pull();
    this.#detach = () => {
      network?.removeEventListener("online", online);
      network?.removeEventListener("offline", offline);
      offFrame();
      offClient();
      client.stop();
      this.#pull();
    };
  }

  #onFrame(record: FrameRecord): void {
    const kind = record.outcome.kind;
    if (kind === "reset" || kind === "applied" || kind === "duplicate") {
      this.#lastSyncedAt = this.#options.now();
    }
  }

  /** Copies the client's state into runes; a reset starts history over. */
  #pull(): void {
    const client = this.#client;
    const sync = client.sync;
    if (sync.epoch !== this.#epoch) {
      this.#epoch = sync.epoch;
      this.#history = IDLE_HISTORY;
    }
    if (this.#intentions !== sync.window) this.#intentions = sync.window;
    if (this.#cursor !== sync.cursor) this.#cursor = sync.cursor;
    if (this.#connection !== client.connection) this.#connection = client.connection;
  }
}
