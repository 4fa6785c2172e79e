import type { MultiChange, MultiFrameRecord, MultiStreamTransport } from "@rhizome/client";
import {
  type ConnectionLabel,
  type ConnectionSettings,
  type ConnectionState,
  type Cursor,
  connectionLabel,
  DEFAULTS,
  type Intention,
  type SyncState,
  type Timers,
} from "@rhizome/protocol";
import type { QueryClient } from "@tanstack/svelte-query";
import type { ListedSpace } from "../api/queries.ts";
import { type BrowserSync, openBrowserSync } from "../sync/browser-sync.ts";
import { followedSpaces } from "./followed.ts";
import {
  type HistoryLoader,
  type HistoryStatus,
  IDLE_HISTORY,
  type LoadOlderOutcome,
} from "./history.ts";
import { loadOlderPage } from "./history-loader.ts";
import { type PutRead, ReadChannel, type ReadChannelPort, ReadMarkers } from "./read-markers.ts";
import { type Reads, readsAfterListing, readsAfterRead, readsAfterWindows } from "./read-state.ts";
import { buildEntries, isMember, type SidebarEntry } from "./sidebar.ts";
import { listen, type NetworkSignal, type PageSignal } from "./signals.ts";
import { SpaceListing } from "./space-listing.ts";

export type MessengerOptions = {
  beingId: string;
  queryClient: QueryClient;
  /** `GET /api/spaces`: the being's spaces (with read state), then public ones. */
  listSpaces: () => Promise<ListedSpace[]>;
  putRead: PutRead;
  loadHistory: HistoryLoader;
  /** Each followed space's window as it changes (the outbox settles what was delivered). */
  onWindow?: (spaceId: string, window: readonly Intention[], cursor: Cursor | null) => void;
  /** When the being last wrote in each space, of its messages not yet synced (the outbox). */
  ownWrites?: () => ReadonlyMap<string, Cursor>;
  /** The stream refused the session. */
  onUnauthorized?: () => void;
  /** The stream is live again after a drop (others' profiles are read again). */
  onReconnect?: () => void;
  network?: NetworkSignal | undefined;
  page?: PageSignal | undefined;
  readPort?: ReadChannelPort | undefined;
  transport?: MultiStreamTransport;
  settings?: ConnectionSettings;
  timers?: Timers;
  now?: () => number;
  /** History page size. */
  pageSize?: number;
  readDelayMs?: number;
};

/**
 * The messenger: every space the being is a member of (and the ones on screen) followed over
 * the browser's one multi-space connection, with unread counts, read markers and history.
 */
export class Messenger {
  readonly beingId: string;
  readonly #options: MessengerOptions;
  readonly #sync: BrowserSync;
  readonly #listed: SpaceListing;
  readonly #markers: ReadMarkers;
  readonly #channel: ReadChannel;
  readonly #now: () => number;

  #listing = $state.raw<readonly ListedSpace[] | undefined>(undefined);
  #listingError = $state.raw<Error | null>(null);
  #states = $state.raw<ReadonlyMap<string, SyncState>>(new Map());
  #reads = $state.raw<Reads>(new Map());
  #history = $state.raw<ReadonlyMap<string, HistoryStatus>>(new Map());
  #lost = $state.raw<ReadonlySet<string>>(new Set());
  #connection = $state.raw<ConnectionState>({ status: "idle" });
  #lastSyncedAt = $state.raw<number | null>(null);
  /** Spaces on screen in this tab, counted (two views of one space hold it twice). */
  readonly #viewed = new Map<string, number>();
  #stops: (() => void)[] = [];
  #everLive = false;

  /** The being's spaces, own first, then by latest activity; each with its unread count. */
  readonly entries: SidebarEntry[] = $derived.by(() =>
    buildEntries(
      this.#listing ?? [],
      this.#states,
      this.#reads,
      this.beingId,
      this.#options.ownWrites?.(),
    ),
  );
  readonly totalUnread: number = $derived(
    this.entries.reduce((sum, entry) => sum + entry.unread, 0),
  );

  constructor(options: MessengerOptions) {
    this.beingId = options.beingId;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#sync = openBrowserSync({
      beingId: options.beingId,
      spaces: [],
      refetchSpaces: () => this.#listed.fetchIds(),
      ...(options.settings ? { settings: options.settings } : {}),
      ...(options.transport ? { transport: options.transport } : {}),
    });
    this.#listed = new SpaceListing(options.queryClient, options.listSpaces);
    this.#markers = new ReadMarkers({
      put: options.putRead,
      ...(options.timers ? { timers: options.timers } : {}),
      ...(options.readDelayMs === undefined ? {} : { delayMs: options.readDelayMs }),
    });
    this.#channel = new ReadChannel(options.readPort, ({ spaceId, cursor }) =>
      this.#read(spaceId, cursor),
    );
  }

  /** Opens the connection and starts listening: to the list, the network, the page. */
  start(): void {
    if (this.#stops.length > 0) return;
    const sync = this.#sync;
    const { network, page } = this.#options;
    this.#stops = [
      sync.subscribe((change) => this.#onChange(change)),
      sync.onFrame((record) => this.#onFrame(record)),
      this.#listed.subscribe((spaces, error) => {
        if (spaces) this.#setListing(spaces);
        this.#listingError = error;
      }),
      listen(network, ["online"], () => sync.setOnline(true)),
      listen(network, ["offline"], () => sync.setOnline(false)),
      // Other devices' membership changes show when the window is looked at again.
      listen(page, ["focus"], () => this.refetchListing()),
      listen(page, ["pagehide"], () => this.#markers.flush()),
    ];
    const known = this.#listed.current;
    if (known) this.#setListing(known);
    if (network && !network.online) sync.setOnline(false);
    sync.start();
    this.#connection = sync.connection;
  }

  /** Sends the read markers still waiting for their pause. */
  flushReads(): void {
    this.#markers.flush();
  }

  /** Signed out or another being: closes the connection and sends pending read markers. */
  dispose(): void {
    for (const stop of this.#stops) stop();
    this.#stops = [];
    this.#sync.stop();
    this.#sync.close?.();
    this.#listed.destroy();
    this.#markers.dispose();
    this.#channel.close();
  }

  /** Every space listed (the being's, then public ones); undefined before the first answer. */
  get listing(): readonly ListedSpace[] | undefined {
    return this.#listing;
  }

  get listingError(): Error | null {
    return this.#listingError;
  }

  /** Public spaces the being has not joined. */
  get publicSpaces(): ListedSpace[] {
    return (this.#listing ?? []).filter((space) => !isMember(space));
  }

  refetchListing(): void {
    this.#listed.refetch();
  }

  get connection(): ConnectionState {
    return this.#connection;
  }

  /** The public state: live, connecting, reconnecting or offline. */
  get label(): ConnectionLabel {
    return connectionLabel(this.#connection);
  }

  /** When a frame last confirmed our position (client clock, ms). */
  get lastSyncedAt(): number | null {
    return this.#lastSyncedAt;
  }

  intentions(spaceId: string): readonly Intention[] {
    return this.#states.get(spaceId)?.window ?? [];
  }

  /** Where the space's stream resumes from; null before its first frame. */
  cursor(spaceId: string): Cursor | null {
    return this.#states.get(spaceId)?.cursor ?? null;
  }

  history(spaceId: string): HistoryStatus {
    return this.#history.get(spaceId) ?? IDLE_HISTORY;
  }

  /** The read marker as this browser knows it; undefined until the list has answered. */
  readAt(spaceId: string): Cursor | null | undefined {
    return this.#reads.get(spaceId)?.readAt;
  }

  unread(spaceId: string): number {
    return this.entries.find((entry) => entry.space.id === spaceId)?.unread ?? 0;
  }

  /** The stream refused this space (removed, or private): it is no longer followed. */
  isLost(spaceId: string): boolean {
    return this.#lost.has(spaceId);
  }

  /** Every frame with its outcome (tests and diagnostics). */
  onFrame(listener: (record: MultiFrameRecord) => void): () => void {
    return this.#sync.onFrame(listener);
  }

  /** A view of `spaceId` is on screen: it is followed with a chat page until released. */
  open(spaceId: string): () => void {
    const id = spaceId.toLowerCase();
    this.#viewed.set(id, (this.#viewed.get(id) ?? 0) + 1);
    if (this.#lost.has(id)) this.#lost = without(this.#lost, [id]);
    this.#follow();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const count = (this.#viewed.get(id) ?? 1) - 1;
      if (count === 0) this.#viewed.delete(id);
      else this.#viewed.set(id, count);
      this.#follow();
    };
  }

  /**
   * The reader sees the latest intentions of a member space: its marker moves to the
   * space's cursor here at once, in the other tabs through the channel, and on the server
   * after a pause (debounced).
   */
  markSeen(spaceId: string): void {
    const state = this.#states.get(spaceId);
    const listed = this.#listing?.find((space) => space.id === spaceId);
    if (!state || state.cursor === null || !listed || !isMember(listed)) return;
    const readAt = this.#reads.get(spaceId)?.readAt ?? "";
    // Only news moves the marker: an edit moves the cursor, not what is unread.
    if (!state.window.some((item) => item.createdAt > readAt)) return;
    this.#read(spaceId, state.cursor);
    this.#markers.mark(spaceId, state.cursor);
    this.#channel.announce({ spaceId, cursor: state.cursor });
  }

  /**
   * Loads the page before the oldest intention in the space's window. A page requested
   * before a reset is dropped, and deletions or edits seen meanwhile win over it.
   */
  async loadOlder(spaceId: string): Promise<LoadOlderOutcome> {
    return loadOlderPage({
      spaceId,
      sync: this.#sync,
      status: () => this.history(spaceId),
      setStatus: (status) => this.#setHistory(spaceId, status),
      load: this.#options.loadHistory,
      pageSize: this.#options.pageSize ?? DEFAULTS.pageSize,
    });
  }

  #setListing(spaces: readonly ListedSpace[]): void {
    this.#listing = spaces;
    const members = spaces.filter(isMember);
    this.#reads = readsAfterListing(this.#reads, members, this.#states, this.beingId);
    const relisted = members.map((space) => space.id).filter((id) => this.#lost.has(id));
    // Listed as a member again (invited back): follow it again.
    if (relisted.length > 0) this.#lost = without(this.#lost, relisted);
    this.#follow();
  }

  #follow(): void {
    const members = (this.#listing ?? []).filter(isMember).map((space) => space.id);
    this.#sync.setSpaces(followedSpaces(members, this.#viewed.keys(), this.#lost));
  }

  #onChange(change: MultiChange): void {
    if (change.kind === "connection") {
      this.#onConnection();
      return;
    }
    if (change.kind === "spaces" && change.dropped.length > 0) {
      this.#lost = new Set([...this.#lost, ...change.dropped]);
    }
    const ids = change.kind === "space" ? [change.spaceId] : this.#sync.spaceIds;
    const states = new Map(change.kind === "space" ? this.#states : []);
    for (const spaceId of ids) {
      const state = this.#sync.space(spaceId);
      if (!state) continue;
      const before = this.#states.get(spaceId);
      states.set(spaceId, state);
      if (before && before.epoch !== state.epoch) this.#setHistory(spaceId, IDLE_HISTORY);
      if (before?.window !== state.window || before?.cursor !== state.cursor) {
        this.#options.onWindow?.(spaceId, state.window, state.cursor);
      }
    }
    this.#states = states;
    this.#reads = readsAfterWindows(this.#reads, ids, states, this.beingId);
  }

  #onConnection(): void {
    const connection = this.#sync.connection;
    this.#connection = connection;
    if (connection.status === "live") {
      // Back after a drop: membership may have changed on another device meanwhile.
      if (this.#everLive) {
        this.refetchListing();
        this.#options.onReconnect?.();
      }
      this.#everLive = true;
    } else if (connection.status === "stopped" && connection.reason === "unauthorized") {
      this.#options.onUnauthorized?.();
    }
  }

  #onFrame(record: MultiFrameRecord): void {
    if (record.event) this.#lastSyncedAt = this.#now();
  }

  /** Read up to `cursor` (here or in another tab). */
  #read(spaceId: string, cursor: Cursor): void {
    this.#reads = readsAfterRead(this.#reads, spaceId, cursor, this.#states, this.beingId);
  }

  #setHistory(spaceId: string, status: HistoryStatus): void {
    this.#history = new Map(this.#history).set(spaceId, status);
  }
}

function without(set: ReadonlySet<string>, ids: readonly string[]): Set<string> {
  const next = new Set(set);
  for (const id of ids) next.delete(id);
  return next;
}
