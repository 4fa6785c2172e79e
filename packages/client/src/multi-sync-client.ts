import {
  applyEvent,
  applyFrame,
  type ConnectionSettings,
  type ConnectionState,
  type Cursor,
  type EventOutcome,
  type Intention,
  initialState,
  mergePage,
  type PageOutcome,
  type SyncEvent,
  type SyncState,
  type Timers,
} from "@rhizome/protocol";
import { type StoredWindow, seedState } from "./stored-window.ts";
import { type FrameVerdict, StreamDriver } from "./stream-driver.ts";
import type { MultiStreamTransport, SpaceSubscription } from "./transport.ts";

/**
 * How to follow a space: its reset page size, and where to resume from if it was kept: a
 * cursor alone, or a whole stored window with its cursor (a local copy, a handover), which
 * shows at once and resumes with a catch-up. A stored window wins over a cursor; an invalid
 * one is ignored. Both matter only for a space not followed yet.
 */
export type FollowOptions = { page?: number; cursor?: Cursor; stored?: StoredWindow };
export type FollowedSpace = { spaceId: string } & FollowOptions;

export type MultiSyncClientOptions = {
  spaces: readonly FollowedSpace[];
  transport: MultiStreamTransport;
  /** The being's spaces now (e.g. from `GET /api/spaces`), asked when the stream answers 404. */
  refetchSpaces: () => Promise<readonly string[]>;
  settings?: ConnectionSettings;
  now?: () => number;
  random?: () => number;
  timers?: Timers;
};

/** What a frame did: the reducer's outcome, or "unfollowed" for a space we do not follow. */
export type MultiFrameOutcome = EventOutcome | { kind: "unfollowed" };

/** Every frame received, with its outcome; `event` is set when the frame was valid. */
export type MultiFrameRecord = {
  data: string;
  spaceId: string | undefined;
  outcome: MultiFrameOutcome;
  event: SyncEvent | undefined;
  connection: number;
};

/** What changed, for listeners that redraw only a part. */
export type MultiChange =
  | { kind: "connection" }
  | { kind: "space"; spaceId: string }
  /** The followed set changed (follow, unfollow, or spaces dropped after a 404). */
  | { kind: "spaces"; dropped: readonly string[] };

type Followed = { sync: SyncState; page: number | undefined };

/**
 * Many spaces over one stream (`POST /api/stream`): a reducer state per space and one
 * connection machine, on the same `StreamDriver` as `SyncClient`. A gap in any space
 * reopens the whole stream from every cursor; a change of the set resubscribes with them.
 */
export class MultiSyncClient {
  readonly #spaces = new Map<string, Followed>();
  readonly #driver: StreamDriver;
  readonly #refetchSpaces: () => Promise<readonly string[]>;
  /** The caller's wish (start/stop), apart from the machine: an empty set stops the stream. */
  #started = false;
  readonly #listeners = new Set<(change: MultiChange) => void>();
  readonly #frameListeners = new Set<(record: MultiFrameRecord) => void>();

  constructor(options: MultiSyncClientOptions) {
    const { transport } = options;
    this.#refetchSpaces = options.refetchSpaces;
    for (const entry of options.spaces) this.#add(entry);
    this.#driver = new StreamDriver(
      {
        open: (signal) => transport({ spaces: this.#subscriptions() }, signal),
        frame: (data, connection) => this.#apply(data, connection),
        refused: (status, connection) => this.#refused(status, connection),
        changed: () => this.#emit({ kind: "connection" }),
      },
      options,
    );
  }

  get connection(): ConnectionState {
    return this.#driver.connection;
  }

  /** The followed spaces, in the order they were followed (the request's order). */
  get spaceIds(): string[] {
    return [...this.#spaces.keys()];
  }

  /** A followed space's window and cursor. */
  space(spaceId: string): SyncState | undefined {
    return this.#spaces.get(spaceId.toLowerCase())?.sync;
  }

  intentions(spaceId: string): readonly Intention[] {
    return this.space(spaceId)?.window ?? [];
  }

  /** Called after every change of data, of the set, or of the connection state. */
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
    if (this.#spaces.size > 0) this.#driver.dispatch({ type: "start" });
  }

  stop(): void {
    this.#started = false;
    this.#driver.stop();
  }

  setOnline(online: boolean): void {
    this.#driver.dispatch({ type: online ? "online" : "offline" });
  }

  /** Ends the current stream as a network failure would (tests, chaos). */
  dropConnection(reason = "dropped by caller"): void {
    this.#driver.drop(reason);
  }

  /** Follows one more space (or changes its page); a new space resubscribes. */
  follow(spaceId: string, options: FollowOptions = {}): void {
    this.setSpaces([
      ...this.#entries().filter((entry) => entry.spaceId !== spaceId.toLowerCase()),
      { spaceId, ...options },
    ]);
  }

  unfollow(spaceId: string): void {
    this.setSpaces(this.#entries().filter((entry) => entry.spaceId !== spaceId.toLowerCase()));
  }

  /** Follows exactly these spaces; the ones kept keep their windows and cursors. */
  setSpaces(entries: readonly FollowedSpace[]): void {
    const before = this.spaceIds.join();
    const wanted = new Set(entries.map((entry) => entry.spaceId.toLowerCase()));
    for (const spaceId of this.#spaces.keys())
      if (!wanted.has(spaceId)) this.#spaces.delete(spaceId);
    for (const entry of entries) this.#add(entry);
    // A page matters only for a reset, so a page change alone does not reopen the stream.
    if (this.spaceIds.join() === before) return;
    this.#emit({ kind: "spaces", dropped: [] });
    this.#resubscribe();
  }

  /** Merges a history page of one space, requested in `epoch`. */
  mergeHistory(spaceId: string, page: readonly Intention[], epoch: number): PageOutcome {
    const followed = this.#spaces.get(spaceId.toLowerCase());
    if (!followed) return { kind: "stale" };
    const { state, outcome } = mergePage(followed.sync, page, epoch);
    if (state !== followed.sync) {
      followed.sync = state;
      this.#emit({ kind: "space", spaceId: state.spaceId });
    }
    return outcome;
  }

  #add({ spaceId, page, cursor, stored }: FollowedSpace): void {
    const id = spaceId.toLowerCase();
    const kept = this.#spaces.get(id);
    if (kept) {
      kept.page = page ?? kept.page;
      return;
    }
    const seeded = stored ? seedState(id, stored) : undefined;
    const sync = seeded?.kind === "ok" ? seeded.state : initialState(id, cursor ?? null);
    this.#spaces.set(id, { sync, page });
  }

  #entries(): FollowedSpace[] {
    return [...this.#spaces.values()].map(({ sync, page }) => ({
      spaceId: sync.spaceId,
      ...(page === undefined ? {} : { page }),
    }));
  }

  #subscriptions(): SpaceSubscription[] {
    return [...this.#spaces.values()].map(({ sync, page }) => ({
      spaceId: sync.spaceId,
      ...(sync.cursor === null ? {} : { since: sync.cursor }),
      ...(page === undefined ? {} : { page }),
    }));
  }

  #resubscribe(): void {
    if (!this.#started) return;
    if (this.#spaces.size === 0) {
      this.#driver.stop();
      return;
    }
    const state = this.#driver.connection;
    const idle =
      state.status === "idle" || (state.status === "stopped" && state.reason === "closed");
    this.#driver.dispatch({ type: idle ? "start" : "resubscribe" });
  }

  #apply(data: string, connection: number): FrameVerdict {
    const { spaceId, parsed } = peekSpace(data);
    const followed = spaceId === undefined ? undefined : this.#spaces.get(spaceId);
    const { state, outcome }: { state?: SyncState; outcome: MultiFrameOutcome } = followed
      ? applyEvent(followed.sync, parsed)
      : spaceId === undefined
        ? // Not JSON or no space: the reducer words the rejection.
          { outcome: applyFrame(NO_SPACE, data).outcome }
        : { outcome: { kind: "unfollowed" } };
    const changed = followed !== undefined && state !== undefined && state !== followed.sync;
    if (followed && state) followed.sync = state;
    const valid =
      outcome.kind === "reset" || outcome.kind === "applied" || outcome.kind === "duplicate";
    const event = valid ? (parsed as SyncEvent) : undefined;
    for (const listener of this.#frameListeners)
      listener({ data, spaceId, outcome, event, connection });
    if (outcome.kind === "gap") return { kind: "gap" };
    if (outcome.kind === "rejected") return { kind: "bad", detail: outcome.detail };
    return changed && spaceId
      ? { kind: "continue", notify: () => this.#emit({ kind: "space", spaceId }) }
      : { kind: "continue" };
  }

  /** A 404: some listed space is gone or unreadable. Ask which, drop them, subscribe again. */
  #refused(status: number, connection: number): boolean {
    if (status !== 404) return false;
    void this.#dropGone(connection);
    return true;
  }

  async #dropGone(connection: number): Promise<void> {
    let current: readonly string[];
    try {
      current = await this.#refetchSpaces();
    } catch (error) {
      if (this.#driver.isCurrent(connection))
        this.#driver.dispatch({ type: "dropped", reason: `refetching spaces: ${String(error)}` });
      return;
    }
    // The set changed or the stream was stopped meanwhile: this answer is about an old set.
    if (!this.#driver.isCurrent(connection)) return;
    const kept = new Set(current.map((spaceId) => spaceId.toLowerCase()));
    const dropped = this.spaceIds.filter((spaceId) => !kept.has(spaceId));
    if (dropped.length === 0) {
      // Every space still listed: a race with a membership change; retry after backoff.
      this.#driver.dispatch({ type: "dropped", reason: "404 for spaces still listed" });
      return;
    }
    for (const spaceId of dropped) this.#spaces.delete(spaceId);
    this.#emit({ kind: "spaces", dropped });
    this.#resubscribe();
  }

  #emit(change: MultiChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}

/** A state no frame belongs to, for the reducer to reject a frame that names no space. */
const NO_SPACE = initialState("");

/** The frame's space, read before the reducer validates the whole frame (once). */
function peekSpace(data: string): { spaceId: string | undefined; parsed: unknown } {
  try {
    const parsed: unknown = JSON.parse(data);
    const spaceId =
      typeof parsed === "object" ? (parsed as { spaceId?: unknown } | null)?.spaceId : undefined;
    return { spaceId: typeof spaceId === "string" ? spaceId : undefined, parsed };
  } catch {
    return { spaceId: undefined, parsed: undefined };
  }
}
