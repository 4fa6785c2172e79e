import {
  buildDelta,
  buildReset,
  type ChangeRecord,
  type Cursor,
  type SyncEvent,
} from "@rhizome/protocol";
import type { SyncMetrics } from "./metrics.ts";
import type { ChangeRing } from "./ring.ts";
import type { ChangeSource, SyncSettings } from "./source.ts";

/** A joiner's first frame, and what its read can seed an empty ring with (complete to `head`). */
export type FirstFrame = {
  event: SyncEvent;
  seed?: { floor: Cursor; changes: ChangeRecord[]; head: Cursor };
};

export type FirstFrameDeps = { source: ChangeSource; settings: SyncSettings; metrics: SyncMetrics };

/** Where the channel stands: its last frame's timestamp, and the ring, complete to `readThrough`. */
export type ChannelPosition = {
  spaceId: string;
  lastSent: Cursor | undefined;
  readThrough: Cursor;
  ring: ChangeRing;
};

/**
 * The first frame for a cursor (DESIGN §6): with none, a reset; with one, the catch-up delta,
 * from the ring when it covers the cursor, else from one indexed read; a reset when more
 * than the catch-up limit was missed or the cursor is ahead of the head.
 */
export async function firstFrame(
  since: Cursor | undefined,
  at: ChannelPosition,
  deps: FirstFrameDeps,
): Promise<FirstFrame | undefined> {
  const { settings, metrics, source } = deps;
  if (since === undefined) return resetFrame(at.spaceId, deps);
  if (at.lastSent !== undefined && at.ring.covers(since, at.readThrough)) {
    if (at.ring.countAfter(since) > settings.catchupLimit) return resetFrame(at.spaceId, deps);
    metrics.catchupsFromRing++;
    return { event: buildDelta(at.spaceId, since, at.ring.after(since)) };
  }
  metrics.dbQueries++;
  const read = await source.changesSince(at.spaceId, since, settings.catchupLimit + 1);
  if (!read) return undefined;
  if (since > read.head || read.changes.length > settings.catchupLimit) {
    return resetFrame(at.spaceId, deps);
  }
  const event = buildDelta(at.spaceId, since, read.changes);
  // Only a cursor older than the space itself can end behind the channel with nothing to
  // chain it forward; a reset is the one correct answer left.
  if (at.lastSent !== undefined && event.timestamp < at.lastSent) {
    if (!at.ring.covers(event.timestamp, at.readThrough)) return resetFrame(at.spaceId, deps);
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
  const read = await deps.source.latestPage(spaceId, deps.settings.pageSize);
  if (!read) return undefined;
  return {
    event: buildReset(spaceId, read.head, read.page),
    seed: { floor: read.head, changes: [], head: read.head },
  };
}
