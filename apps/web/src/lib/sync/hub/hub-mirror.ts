import {
  type FollowedSpace,
  type FollowOptions,
  type MultiChange,
  type MultiFrameRecord,
  type StoredWindow,
  seedState,
} from "@rhizome/client";
import {
  type ConnectionState,
  type Intention,
  initialState,
  mergePage,
  type PageOutcome,
  type SyncState,
} from "@rhizome/protocol";
import type { ClientId, FromHub, HubConfig, ToHub, Wish } from "./messages.ts";

/** How a mirror reaches the hub: a SharedWorker's port, the tabs' channels, or a hub in this tab. */
export type HubLink = {
  post(message: ToHub): void;
  listen(handler: (message: FromHub) => void): () => void;
  /** This client is going: release what the link holds (a lock, a port). */
  close(): void;
};

export type HubMirrorOptions = {
  clientId: ClientId;
  config: HubConfig;
  link: HubLink;
  spaces: readonly FollowedSpace[];
  refetchSpaces: () => Promise<readonly string[]>;
  /** The local copy, to paint from before the hub answers. */
  localCopy?: Promise<ReadonlyMap<string, StoredWindow>>;
};

type Wished = { page: number | undefined };

/**
 * A tab's view of the browser's one stream: the `MultiSyncClient` surface over the hub's
 * messages. It follows its own wish (the hub follows every tab's), paints from the local copy
 * until the hub speaks, and answers the hub's questions (which spaces, after a 404).
 */
export class HubMirror {
  readonly #options: HubMirrorOptions;
  readonly #wish = new Map<string, Wished>();
  readonly #states = new Map<string, SyncState>();
  /** Spaces whose state came from the hub: the local copy no longer paints over them. */
  readonly #fromHub = new Set<string>();
  readonly #listeners = new Set<(change: MultiChange) => void>();
  readonly #frameListeners = new Set<(record: MultiFrameRecord) => void>();
  #connection: ConnectionState = { status: "idle" };
  /** The local copy once read, so that a space followed later paints from it at once too. */
  #stored: ReadonlyMap<string, StoredWindow> = new Map();
  #started = false;
  #closed = false;
  readonly #unlisten: () => void;
  /** Resolved once the local copy has painted (at once where there is none). */
  readonly ready: Promise<void>;

  constructor(options: HubMirrorOptions) {
    this.#options = options;
    for (const entry of options.spaces) this.#add(entry);
    this.#unlisten = options.link.listen((message) => this.#receive(message));
    this.ready = this.#paint();
    this.#hello();
  }

  get connection(): ConnectionState {
    return this.#connection;
  }

  get spaceIds(): string[] {
    return [...this.#wish.keys()];
  }

  space(spaceId: string): SyncState | undefined {
    return this.#states.get(spaceId.toLowerCase());
  }

  intentions(spaceId: string): readonly Intention[] {
    return this.space(spaceId)?.window ?? [];
  }

  subscribe(listener: (change: MultiChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onFrame(listener: (record: MultiFrameRecord) => void): () => void {
    this.#frameListeners.add(listener);
    return () => this.#frameListeners.delete(listener);
  }

  start(): void {
    this.#started = true;
    this.#postWish();
  }

  stop(): void {
    this.#started = false;
    this.#postWish();
  }

  setOnline(online: boolean): void {
    this.#post({ type: "online", from: this.#options.clientId, online });
  }

  follow(spaceId: string, options: FollowOptions = {}): void {
    const id = spaceId.toLowerCase();
    this.setSpaces([
      ...this.#entries().filter((entry) => entry.spaceId !== id),
      { spaceId: id, ...options },
    ]);
  }

  unfollow(spaceId: string): void {
    const id = spaceId.toLowerCase();
    this.setSpaces(this.#entries().filter((entry) => entry.spaceId !== id));
  }

  setSpaces(entries: readonly FollowedSpace[]): void {
    const before = this.spaceIds.join();
    const wanted = new Set(entries.map((entry) => entry.spaceId.toLowerCase()));
    for (const spaceId of this.spaceIds) if (!wanted.has(spaceId)) this.#forget(spaceId);
    for (const entry of entries) this.#add(entry);
    const changed = this.spaceIds.join() !== before;
    this.#postWish();
    if (changed) this.#emit({ kind: "spaces", dropped: [] });
  }

  /** Merges here at once (the caller needs the outcome) and in the hub, for every tab. */
  mergeHistory(spaceId: string, page: readonly Intention[], epoch: number): PageOutcome {
    const id = spaceId.toLowerCase();
    const state = this.#states.get(id);
    if (!state) return { kind: "stale" };
    const merged = mergePage(state, page, epoch);
    if (merged.state !== state) {
      this.#states.set(id, merged.state);
      this.#emit({ kind: "space", spaceId: id });
    }
    if (merged.outcome.kind === "merged")
      this.#post({
        type: "merge",
        from: this.#options.clientId,
        spaceId: id,
        page: [...page],
        epoch,
      });
    return merged.outcome;
  }

  /** This tab is going: the hub forgets its wish (and an elected tab hands the stream over). */
  close(): void {
    if (this.#closed) return;
    this.#post({ type: "bye", from: this.#options.clientId });
    this.#closed = true;
    this.#unlisten();
    this.#options.link.close();
  }

  #add({ spaceId, page, cursor, stored }: FollowedSpace): void {
    const id = spaceId.toLowerCase();
    const kept = this.#wish.get(id);
    if (kept) {
      kept.page = page ?? kept.page;
      return;
    }
    this.#wish.set(id, { page });
    const copied = stored ?? this.#stored.get(id);
    const seeded = copied ? seedState(id, copied) : undefined;
    this.#states.set(id, seeded?.kind === "ok" ? seeded.state : initialState(id, cursor ?? null));
  }

  #forget(spaceId: string): void {
    this.#wish.delete(spaceId);
    this.#states.delete(spaceId);
    this.#fromHub.delete(spaceId);
  }

  #entries(): FollowedSpace[] {
    return [...this.#wish].map(([spaceId, { page }]) =>
      page === undefined ? { spaceId } : { spaceId, page },
    );
  }

  async #paint(): Promise<void> {
    const stored = await this.#options.localCopy?.catch(() => undefined);
    if (!stored || this.#closed) return;
    this.#stored = stored;
    for (const [spaceId, window] of stored) {
      if (!this.#wish.has(spaceId) || this.#fromHub.has(spaceId)) continue;
      if (this.#states.get(spaceId)?.cursor) continue;
      const seeded = seedState(spaceId, window);
      if (seeded.kind !== "ok") continue;
      this.#states.set(spaceId, seeded.state);
      this.#emit({ kind: "space", spaceId });
    }
  }

  #receive(message: FromHub): void {
    if (this.#closed) return;
    switch (message.type) {
      case "snapshot":
        if (message.to !== this.#options.clientId) return;
        for (const state of message.spaces) this.#take(state);
        this.#setConnection(message.connection);
        return;
      case "connection":
        this.#setConnection(message.connection);
        return;
      case "space":
        this.#take(message.state);
        return;
      case "spaces": {
        const dropped = message.dropped.filter((spaceId) => this.#wish.has(spaceId));
        if (dropped.length === 0) return;
        for (const spaceId of dropped) this.#forget(spaceId);
        this.#emit({ kind: "spaces", dropped });
        return;
      }
      case "frame": {
        const { spaceId } = message.record;
        if (spaceId !== undefined && !this.#wish.has(spaceId.toLowerCase())) return;
        for (const listener of this.#frameListeners) listener(message.record);
        return;
      }
      case "refetch":
        if (this.#started) void this.#answerRefetch(message.request);
        return;
      case "holder":
        this.#hello();
        return;
    }
  }

  #take(state: SyncState): void {
    if (!this.#wish.has(state.spaceId)) return;
    this.#fromHub.add(state.spaceId);
    if (this.#states.get(state.spaceId) === state) return;
    this.#states.set(state.spaceId, state);
    this.#emit({ kind: "space", spaceId: state.spaceId });
  }

  #setConnection(connection: ConnectionState): void {
    if (sameConnection(connection, this.#connection)) return;
    this.#connection = connection;
    this.#emit({ kind: "connection" });
  }

  async #answerRefetch(request: number): Promise<void> {
    let spaceIds: string[] | null;
    try {
      spaceIds = [...(await this.#options.refetchSpaces())];
    } catch {
      spaceIds = null;
    }
    this.#post({ type: "refetched", from: this.#options.clientId, request, spaceIds });
  }

  #hello(): void {
    this.#post({ type: "hello", from: this.#options.clientId, config: this.#options.config });
    this.#postWish();
  }

  #postWish(): void {
    const spaces: Wish[] = this.#entries().map(({ spaceId, page }) =>
      page === undefined ? { spaceId } : { spaceId, page },
    );
    this.#post({ type: "wish", from: this.#options.clientId, spaces, started: this.#started });
  }

  #post(message: ToHub): void {
    if (!this.#closed) this.#options.link.post(message);
  }

  #emit(change: MultiChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}

/** Connection states arrive as copies: compare what they say, so listeners hear real changes. */
function sameConnection(a: ConnectionState, b: ConnectionState): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
