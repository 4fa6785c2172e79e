import { SYNC_EVENT_TYPE } from "./constants.ts";
import type { Cursor } from "./cursor.ts";
import { compareChanges, compareIntentions } from "./order.ts";
import type { Intention } from "./schemas/intention.ts";
import type { DeltaEvent, ResetEvent, SyncEvent } from "./schemas/sync-event.ts";

/** An intention row as the change log sees it: a tombstone has `deletedAt` and no content. */
export type ChangeRecord = Intention & { deletedAt: Cursor | null };

/**
 * Builds the delta from `since` for changes with `updatedAt > since` (docs/PROTOCOL.md,
 * Classification): deleted and created after `since` → omitted; deleted → `deleted`;
 * created after `since` → `created`; otherwise → `updated`. The timestamp is what the delta
 * has read through: the `updatedAt` of the last change it read, carried or omitted, else
 * `since`. So a resume never reads an omitted change again (it would name a deletion the
 * reader never held), and a reader holding everything sits at the head (protocol 2).
 */
export function buildDelta(
  spaceId: string,
  since: Cursor,
  changes: readonly ChangeRecord[],
): DeltaEvent {
  const created: Intention[] = [];
  const updated: Intention[] = [];
  const deleted: string[] = [];
  let timestamp = since;
  for (const change of latestPerId(changes)) {
    if (change.updatedAt <= since) continue;
    if (change.updatedAt > timestamp) timestamp = change.updatedAt;
    const createdAfter = change.createdAt > since;
    if (change.deletedAt !== null) {
      if (createdAfter) continue;
      deleted.push(change.id);
    } else if (createdAfter) {
      created.push(toIntention(change));
    } else {
      updated.push(toIntention(change));
    }
  }
  created.sort(compareIntentions);
  return { type: SYNC_EVENT_TYPE, spaceId, since, created, updated, deleted, timestamp };
}

/** A reset: the latest page of live intentions (oldest first) and the head read with it. */
export function buildReset(spaceId: string, head: Cursor, page: readonly Intention[]): ResetEvent {
  const created = page.map(toIntention).sort(compareIntentions);
  return {
    type: SYNC_EVENT_TYPE,
    spaceId,
    created,
    updated: [],
    deleted: [],
    timestamp: head,
    reset: true,
  };
}

/** The empty delta a subscriber gets as a heartbeat, or as an empty catch-up. */
export function buildHeartbeat(spaceId: string, cursor: Cursor): DeltaEvent {
  return buildDelta(spaceId, cursor, []);
}

/** Whether a delta carries any intention (an empty one may still move the cursor). */
export function carriesChanges(event: SyncEvent): boolean {
  return event.created.length + event.updated.length + event.deleted.length > 0;
}

/** Whether a delta moves its reader: it carries something, or reads past omitted changes. */
export function movesCursor(event: DeltaEvent): boolean {
  return event.timestamp !== event.since;
}

/** Number of distinct intentions changed after `since`: what the catch-up limit counts. */
export function countChangedSince(since: Cursor, changes: readonly ChangeRecord[]): number {
  const ids = new Set<string>();
  for (const change of changes) if (change.updatedAt > since) ids.add(change.id);
  return ids.size;
}

/** Several versions of one row (a log of changes) collapse to the latest, in `updatedAt` order. */
function latestPerId(changes: readonly ChangeRecord[]): ChangeRecord[] {
  const latest = new Map<string, ChangeRecord>();
  for (const change of changes) {
    const seen = latest.get(change.id);
    if (!seen || change.updatedAt > seen.updatedAt) latest.set(change.id, change);
  }
  return [...latest.values()].sort(compareChanges);
}

function toIntention(change: Intention): Intention {
  return {
    id: change.id,
    spaceId: change.spaceId,
    authorId: change.authorId,
    content: change.content,
    createdAt: change.createdAt,
    updatedAt: change.updatedAt,
  };
}
