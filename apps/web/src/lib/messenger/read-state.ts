import type { Cursor, Intention } from "@rhizome/protocol";

/**
 * What this browser knows of one space's read marker and unread count. The server's count
 * (`GET /api/spaces`) covers intentions up to its latest one (`countedThrough`); the synced
 * window covers what came after, and whatever part of the counted range it also holds.
 */
export type ReadState = {
  readonly readAt: Cursor | null;
  /** The server's unread count (100 means 100 or more), or 0 after a local read. */
  readonly counted: number;
  /** The intentions `counted` covers were created at or before this. */
  readonly countedThrough: Cursor | null;
  /** Counted intentions met in the window this epoch (deleted ones stay: they were counted). */
  readonly seen: ReadonlySet<string>;
  /** The window's epoch `seen` belongs to: a reset starts it over. */
  readonly epoch: number;
};

/** The read part of a listed space (`GET /api/spaces`, a member's entry). */
export type ListedReadState = {
  readAt?: Cursor | null | undefined;
  unread?: number | undefined;
  lastIntention?: Intention | null | undefined;
};

/** Nothing known yet: every intention by others in the window is unread. */
export const UNKNOWN_READ: ReadState = {
  readAt: null,
  counted: 0,
  countedThrough: null,
  seen: new Set(),
  epoch: -1,
};

/** The server's view of a space, taken as the new baseline. */
export function fromListing(listed: ListedReadState): ReadState {
  const readAt = listed.readAt ?? null;
  return {
    readAt,
    counted: listed.unread ?? 0,
    countedThrough: listed.lastIntention?.createdAt ?? readAt,
    seen: new Set(),
    epoch: -1,
  };
}

/** A listing answers for a space: kept only if it is not behind a read made here meanwhile. */
export function mergeListing(current: ReadState, listed: ListedReadState): ReadState {
  const readAt = listed.readAt ?? null;
  if (current.readAt !== null && (readAt === null || readAt < current.readAt)) return current;
  return fromListing(listed);
}

/** Read up to `cursor` here (or in another tab): nothing before it is unread any more. */
export function markedRead(current: ReadState, cursor: Cursor): ReadState {
  if (current.readAt !== null && cursor <= current.readAt) return current;
  return { readAt: cursor, counted: 0, countedThrough: cursor, seen: new Set(), epoch: -1 };
}

/** Intentions by others after the marker, in the window. */
function unreadInWindow(state: ReadState, window: readonly Intention[], meId: string) {
  const after = state.readAt ?? "";
  return window.filter((item) => item.authorId !== meId && item.createdAt > after);
}

/** Notes which counted intentions the window holds now; a new epoch starts the set over. */
export function observeWindow(
  state: ReadState,
  window: readonly Intention[],
  epoch: number,
  meId: string,
): ReadState {
  const through = state.countedThrough;
  const fresh = state.epoch !== epoch;
  if (state.counted === 0 || through === null) {
    return fresh ? { ...state, seen: new Set(), epoch } : state;
  }
  const seen = new Set(fresh ? [] : state.seen);
  for (const item of unreadInWindow(state, window, meId)) {
    if (item.createdAt <= through) seen.add(item.id);
  }
  if (!fresh && seen.size === state.seen.size) return state;
  return { ...state, seen, epoch };
}

/**
 * Unread intentions: those counted by the server that the window does not hold, plus those by
 * others after the marker that it does. Deleting one the window holds lowers the count.
 */
export function unreadCount(state: ReadState, window: readonly Intention[], meId: string): number {
  const hidden = Math.max(0, state.counted - state.seen.size);
  return hidden + unreadInWindow(state, window, meId).length;
}

/** The first unread intention by another being, for the divider: none if all are read. */
export function firstUnread(
  readAt: Cursor | null,
  items: readonly Intention[],
  meId: string,
): string | undefined {
  const after = readAt ?? "";
  return items.find((item) => item.authorId !== meId && item.createdAt > after)?.id;
}

/** The badge's text: the number, capped for display. */
export function badgeText(unread: number): string {
  return unread > 99 ? "99+" : String(unread);
}

/** Every space's read state, by space id. */
export type Reads = ReadonlyMap<string, ReadState>;
type Windows = ReadonlyMap<string, { window: readonly Intention[]; epoch: number }>;

function observed(read: ReadState, windows: Windows, spaceId: string, meId: string): ReadState {
  const synced = windows.get(spaceId);
  return synced ? observeWindow(read, synced.window, synced.epoch, meId) : read;
}

/** A listing answered: each member space's entry merged, then checked against its window. */
export function readsAfterListing(
  reads: Reads,
  members: readonly (ListedReadState & { id: string })[],
  windows: Windows,
  meId: string,
): Reads {
  const next = new Map(reads);
  for (const space of members) {
    const merged = mergeListing(reads.get(space.id) ?? UNKNOWN_READ, space);
    next.set(space.id, observed(merged, windows, space.id, meId));
  }
  return next;
}

/** Read up to `cursor` (here or in another tab); the same map when that changes nothing. */
export function readsAfterRead(
  reads: Reads,
  spaceId: string,
  cursor: Cursor,
  windows: Windows,
  meId: string,
): Reads {
  const current = reads.get(spaceId) ?? UNKNOWN_READ;
  const marked = markedRead(current, cursor);
  if (marked === current) return reads;
  return new Map(reads).set(spaceId, observed(marked, windows, spaceId, meId));
}

/** These spaces' windows moved: note what of the counted range they hold now. */
export function readsAfterWindows(
  reads: Reads,
  spaceIds: readonly string[],
  windows: Windows,
  meId: string,
): Reads {
  const next = new Map(reads);
  for (const spaceId of spaceIds) {
    const read = reads.get(spaceId);
    if (read) next.set(spaceId, observed(read, windows, spaceId, meId));
  }
  return next;
}
