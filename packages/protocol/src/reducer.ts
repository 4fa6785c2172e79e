import { type Cursor, compareCursors } from "./cursor.ts";
import { compareIntentions } from "./order.ts";
import { checkSyncEvent, parseSyncEvent } from "./parse.ts";
import type { Intention } from "./schemas/intention.ts";
import type { DeltaEvent, ResetEvent, SyncEvent } from "./schemas/sync-event.ts";

/**
 * A client's view of one space. Immutable: every transition returns a new state,
 * or the same object when nothing changed.
 */
export type SyncState = {
  readonly spaceId: string;
  /** Where to resume from; null until the first reset arrives. */
  readonly cursor: Cursor | null;
  /** Live intentions ordered by `createdAt`: the latest page plus loaded history. */
  readonly window: readonly Intention[];
  /** Counts resets; a history page requested in an older epoch is stale. */
  readonly epoch: number;
  /** Ids deleted this epoch, so that an older history page cannot bring them back. */
  readonly deletedIds: ReadonlySet<string>;
  /** Edits this epoch to intentions not loaded yet, so that an older page cannot undo them. */
  readonly outsideEdits: ReadonlyMap<string, Intention>;
};

export type EventOutcome =
  | { kind: "reset"; size: number }
  | { kind: "applied"; changes: number }
  | { kind: "duplicate" }
  | { kind: "gap"; expected: Cursor | null; since: Cursor | undefined }
  | { kind: "rejected"; reason: "invalid" | "wrong-space"; detail: string };

export type PageOutcome = { kind: "merged"; added: number } | { kind: "stale" };

export type Transition<O> = { state: SyncState; outcome: O };

export function initialState(spaceId: string, cursor: Cursor | null = null): SyncState {
  return {
    spaceId,
    cursor,
    window: [],
    epoch: 0,
    deletedIds: new Set(),
    outsideEdits: new Map(),
  };
}

/** Applies one `data:` payload of the stream. Total: bad input is a typed outcome. */
export function applyFrame(state: SyncState, data: string): Transition<EventOutcome> {
  const parsed = parseSyncEvent(data);
  if (!parsed.ok) return rejected(state, "invalid", parsed.detail);
  return applyValid(state, parsed.event);
}

/** Applies one event; accepts `unknown` so that a caller can never make it throw. */
export function applyEvent(state: SyncState, input: unknown): Transition<EventOutcome> {
  const checked = checkSyncEvent(input);
  if (!checked.ok) return rejected(state, "invalid", checked.detail);
  return applyValid(state, checked.event);
}

/** An event already validated (by `parseSyncEvent` or `checkSyncEvent`, once). */
function applyValid(state: SyncState, event: SyncEvent): Transition<EventOutcome> {
  if (event.spaceId !== state.spaceId) {
    return rejected(state, "wrong-space", `event for ${event.spaceId}, state of ${state.spaceId}`);
  }
  if (event.reset) return applyReset(state, event);
  const { since } = event;
  if (state.cursor !== null && since === state.cursor) return applyDelta(state, event);
  if (state.cursor !== null && compareCursors(event.timestamp, state.cursor) <= 0) {
    return { state, outcome: { kind: "duplicate" } };
  }
  return { state, outcome: { kind: "gap", expected: state.cursor, since } };
}

/**
 * Merges a history page (intentions created before the window's oldest). Pages from an
 * older epoch are dropped; deletions and edits seen this epoch win over the page.
 */
export function mergePage(
  state: SyncState,
  page: readonly Intention[],
  requestedInEpoch: number,
): Transition<PageOutcome> {
  if (requestedInEpoch !== state.epoch) return { state, outcome: { kind: "stale" } };
  const byId = new Map(state.window.map((item) => [item.id, item]));
  let added = 0;
  for (const fetched of page) {
    if (fetched.spaceId !== state.spaceId || state.deletedIds.has(fetched.id)) continue;
    const edited = state.outsideEdits.get(fetched.id);
    const candidate = edited && isNewer(edited, fetched) ? edited : fetched;
    if (!byId.has(candidate.id)) added++;
    keepNewest(byId, candidate);
  }
  if (added === 0 && byId.size === state.window.length && sameItems(byId, state.window)) {
    return { state, outcome: { kind: "merged", added: 0 } };
  }
  return {
    state: { ...state, window: ordered(byId.values()) },
    outcome: { kind: "merged", added },
  };
}

function applyReset(state: SyncState, event: ResetEvent): Transition<EventOutcome> {
  const window = ordered(event.created);
  return {
    state: {
      spaceId: state.spaceId,
      cursor: event.timestamp,
      window,
      epoch: state.epoch + 1,
      deletedIds: new Set(),
      outsideEdits: new Map(),
    },
    outcome: { kind: "reset", size: window.length },
  };
}

function applyDelta(state: SyncState, event: DeltaEvent): Transition<EventOutcome> {
  const changes = event.created.length + event.updated.length + event.deleted.length;
  if (changes === 0) {
    const moved = event.timestamp !== state.cursor;
    return {
      state: moved ? { ...state, cursor: event.timestamp } : state,
      outcome: { kind: "applied", changes: 0 },
    };
  }
  const byId = new Map(state.window.map((item) => [item.id, item]));
  const deletedIds = new Set(state.deletedIds);
  const outsideEdits = new Map(state.outsideEdits);
  for (const item of event.created) keepNewest(byId, item);
  for (const item of event.updated) {
    if (byId.has(item.id)) keepNewest(byId, item);
    else if (!deletedIds.has(item.id)) keepNewest(outsideEdits, item);
  }
  for (const id of event.deleted) {
    byId.delete(id);
    outsideEdits.delete(id);
    deletedIds.add(id);
  }
  return {
    state: {
      ...state,
      cursor: event.timestamp,
      window: ordered(byId.values()),
      deletedIds,
      outsideEdits,
    },
    outcome: { kind: "applied", changes },
  };
}

function rejected(
  state: SyncState,
  reason: "invalid" | "wrong-space",
  detail: string,
): Transition<EventOutcome> {
  return { state, outcome: { kind: "rejected", reason, detail } };
}

/** Keeps `item` under its id unless a newer version of it is there already. */
function keepNewest(map: Map<string, Intention>, item: Intention): void {
  const current = map.get(item.id);
  if (!current || isNewer(item, current)) map.set(item.id, item);
}

function isNewer(a: Intention, b: Intention): boolean {
  return compareCursors(a.updatedAt, b.updatedAt) > 0;
}

function sameItems(byId: Map<string, Intention>, window: readonly Intention[]): boolean {
  return window.every((item) => byId.get(item.id) === item);
}

function ordered(items: Iterable<Intention>): Intention[] {
  return [...items].sort(compareIntentions);
}
