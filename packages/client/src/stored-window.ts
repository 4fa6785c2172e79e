import {
  applyEvent,
  type Cursor,
  type Intention,
  initialState,
  SYNC_EVENT_TYPE,
  type SyncState,
} from "@rhizome/protocol";

/** A followed space's window and cursor as a device keeps it between sessions. */
export type StoredWindow = {
  readonly cursor: Cursor;
  readonly window: readonly Intention[];
  /** The epoch it was kept in, so that a history page asked for before a handover still fits. */
  readonly epoch?: number;
};

/** Bumped whenever the stored shape changes: an older record is dropped, never misread. */
export const STORED_WINDOW_VERSION = 1;

/** What a device writes: the window and cursor of one space, with the shape's version. */
export type StoredWindowRecord = {
  readonly version: number;
  readonly spaceId: string;
  readonly cursor: Cursor;
  readonly window: readonly Intention[];
};

export type StoredWindowOutcome =
  | { kind: "ok"; stored: StoredWindow }
  | {
      kind: "dropped";
      reason: "missing" | "old-version" | "wrong-space" | "corrupt";
      detail?: string;
    };

export function toStoredRecord(state: SyncState): StoredWindowRecord | undefined {
  if (state.cursor === null) return undefined;
  return {
    version: STORED_WINDOW_VERSION,
    spaceId: state.spaceId,
    cursor: state.cursor,
    window: state.window,
  };
}

/** Reads a stored record of `spaceId`; anything corrupt, foreign or old is a typed drop. */
export function parseStoredRecord(spaceId: string, value: unknown): StoredWindowOutcome {
  if (value === undefined || value === null) return { kind: "dropped", reason: "missing" };
  if (typeof value !== "object")
    return { kind: "dropped", reason: "corrupt", detail: "not an object" };
  const record = value as Partial<StoredWindowRecord>;
  if (record.version !== STORED_WINDOW_VERSION) return { kind: "dropped", reason: "old-version" };
  if (typeof record.spaceId !== "string" || record.spaceId.toLowerCase() !== spaceId.toLowerCase())
    return { kind: "dropped", reason: "wrong-space" };
  const seeded = seedState(spaceId, {
    cursor: record.cursor as Cursor,
    window: record.window ?? [],
  });
  return seeded.kind === "ok"
    ? { kind: "ok", stored: { cursor: seeded.state.cursor as Cursor, window: seeded.state.window } }
    : { kind: "dropped", reason: "corrupt", detail: seeded.detail };
}

/**
 * A reducer state holding `stored`, validated as the protocol validates a reset (the same
 * schema for every intention and the cursor), so a seeded window is as sound as a received one.
 */
export function seedState(
  spaceId: string,
  stored: StoredWindow,
): { kind: "ok"; state: SyncState } | { kind: "corrupt"; detail: string } {
  const id = spaceId.toLowerCase();
  const { state, outcome } = applyEvent(initialState(id), {
    type: SYNC_EVENT_TYPE,
    spaceId: id,
    created: Array.isArray(stored.window) ? [...stored.window] : stored.window,
    updated: [],
    deleted: [],
    timestamp: stored.cursor,
    reset: true,
  });
  if (outcome.kind !== "reset")
    return { kind: "corrupt", detail: outcome.kind === "rejected" ? outcome.detail : outcome.kind };
  if (state.window.some((item) => item.spaceId !== id))
    return { kind: "corrupt", detail: "an intention of another space" };
  const epoch = stored.epoch;
  const keptEpoch = typeof epoch === "number" && Number.isSafeInteger(epoch) && epoch >= 0;
  return { kind: "ok", state: keptEpoch ? { ...state, epoch } : state };
}
