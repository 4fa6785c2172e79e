import type { Cursor, Intention, SyncState } from "@rhizome/protocol";
import type { ListedSpace } from "../api/queries.ts";
import type { DisplayIntention } from "../outbox/outbox.ts";
import { type ReadState, UNKNOWN_READ, unreadCount } from "./read-state.ts";

export const isMember = (space: ListedSpace): boolean => space.role !== null;

/** One space in the sidebar: what it shows, and what orders it. */
export type SidebarEntry = {
  space: ListedSpace;
  unread: number;
  /** The latest live intention, from the stream once it is synced, else from the listing. */
  latest: Intention | null;
  /**
   * The latest activity: the latest intention's time, or the being's own newer message not
   * yet synced (it was written after everything seen there), else the space's creation.
   */
  activeAt: Cursor;
};

/**
 * The latest intention: the synced window knows best (its last entry is the latest live one);
 * before the first frame, or when the window lost its only entry, the listing's.
 */
export function latestIntention(
  listed: Intention | null | undefined,
  window: readonly Intention[],
  deletedIds: ReadonlySet<string>,
): Intention | null {
  const synced = window.at(-1);
  const fromList = listed && !deletedIds.has(listed.id) ? listed : null;
  if (!synced) return fromList;
  if (!fromList) return synced;
  // An edit arrives through the window, so it wins a tie.
  return fromList.createdAt > synced.createdAt ? fromList : synced;
}

/**
 * What a space's preview shows: the being's own newest message not yet in the stream (still
 * pending, or stored and on its way) wins over the latest synced one, since it was written
 * after everything the being had seen there; offline, it is what they last said.
 */
export function previewIntention(
  latest: Intention | null,
  own: readonly DisplayIntention[],
): DisplayIntention | null {
  const newest = own.at(-1);
  if (newest) return newest;
  return latest ? { ...latest, status: "sent" } : null;
}

/** Own spaces first, then by latest activity (newest first), then by name for stability. */
export function compareEntries(a: SidebarEntry, b: SidebarEntry): number {
  const ownA = a.space.role === "owner" ? 0 : 1;
  const ownB = b.space.role === "owner" ? 0 : 1;
  if (ownA !== ownB) return ownA - ownB;
  if (a.activeAt !== b.activeAt) return a.activeAt > b.activeAt ? -1 : 1;
  return a.space.name.localeCompare(b.space.name) || a.space.id.localeCompare(b.space.id);
}

export function sortEntries(entries: SidebarEntry[]): SidebarEntry[] {
  return entries.sort(compareEntries);
}

/** What a preview line says: the author's name (or "You") and the text on one line. */
export function previewText(content: string, max = 120): string {
  const line = content.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The sidebar: the member spaces of the listing, with what the stream and the markers say. */
export function buildEntries(
  listing: readonly ListedSpace[],
  states: ReadonlyMap<string, SyncState>,
  reads: ReadonlyMap<string, ReadState>,
  meId: string,
  ownWrites: ReadonlyMap<string, Cursor> = new Map(),
): SidebarEntry[] {
  const entries = listing.filter(isMember).map((space): SidebarEntry => {
    const state = states.get(space.id);
    const window = state?.window ?? [];
    const latest = latestIntention(space.lastIntention, window, state?.deletedIds ?? new Set());
    const synced = latest?.createdAt ?? space.createdAt;
    const written = ownWrites.get(space.id);
    return {
      space,
      unread: unreadCount(reads.get(space.id) ?? UNKNOWN_READ, window, meId),
      latest,
      activeAt: written !== undefined && written > synced ? written : synced,
    };
  });
  return sortEntries(entries);
}
