import {
  buildDelta,
  buildReset,
  type ChangeRecord,
  type Cursor,
  type SyncEvent,
} from "@rhizome/protocol";
import type { Position } from "./audience.ts";
import type { SyncMetrics } from "./metrics.ts";
import type { ChangeSource, SyncSettings } from "./source.ts";

/** A joiner's first frame, and what its read can seed an empty ring with (complete to `head`). */
export type FirstFrame = {
  event: SyncEvent;
  seed?: { floor: Cursor; changes: ChangeRecord[]; head: Cursor };
};

export type FirstFrameDeps = {
  source: ChangeSource;
  settings: SyncSettings;
  metrics: SyncMetrics;
  /** The reset page's size for this joiner, when not the server's (a multi-space entry's `page`). */
  pageSize?: number;
};

/**
 * The first frame for a cursor (DESIGN §6): with none, a reset; with one, the catch-up delta,
 * from the ring when it covers the cursor, else from one indexed read; a reset when more
 * than the catch-up limit was missed or the cursor is ahead of the head. `at` is where the
 * channel stands, undefined while no join has fixed its position.
 */
export async function firstFrame(
  spaceId: string,
  since: Cursor | undefined,
  at: Position | undefined,
  deps: FirstFrameDeps,
): Promise<FirstFrame | undefined> {
  const { settings, metrics, source } = deps;
  if (since === undefined) return resetFrame(spaceId, deps);
  if (at?.ring.covers(since, at.readThrough)) {
    if (at.ring.countAfter(since) > settings.catchupLimit) return resetFrame(spaceId, deps);
    metrics.catchupsFromRing++;
    return { event: buildDelta(spaceId, since, at.ring.after(since)) };
  }
  metrics.dbQueries++;
  const read = await source.changesSince(spaceId, since, settings.catchupLimit + 1);
  if (!read) return undefined;
  if (since > read.head || read.changes.length > settings.catchupLimit) {
    return resetFrame(spaceId, deps);
  }
  const event = buildDelta(spaceId, since, read.changes);
  // Only a cursor older than the space itself can end behind the channel with nothing to
  // chain it forward; a reset is the one correct answer left.
  if (at && event.timestamp < at.lastSent) {
    if (!at.ring.covers(event.timestamp, at.readThrough)) return resetFrame(spaceId, deps);
  }
  metrics.catchupsFromDb++;
  return { event, seed: { floor: since, changes: read.changes, head: read.head } };
}

/** The latest page and the head of the same snapshot. */
export async function resetFrame(
  spaceId: string,
  deps: FirstFrameDeps,
): Promise<FirstFrame | undefined> {
  deps.metrics.dbQueries++;
  deps.metrics.resets++;
  const read = await deps.source.latestPage(spaceId, deps.pageSize ?? deps.settings.pageSize);
  if (!read) return undefined;
  return {
    event: buildReset(spaceId, read.head, read.page),
    seed: { floor: read.head, changes: [], head: read.head },
  };
}
