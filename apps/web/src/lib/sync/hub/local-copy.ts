import {
  parseStoredRecord,
  type StoredWindow,
  type StoredWindowOutcome,
  toStoredRecord,
} from "@rhizome/client";
import type { SyncState } from "@rhizome/protocol";
import { clear, createStore, entries, setMany, type UseStore } from "idb-keyval";

/** Each followed space's window and cursor, kept on this device per being (DESIGN §8). */
export type LocalCopy = {
  /** Every kept space that is still sound; unsound records are dropped (and forgotten). */
  load(): Promise<Map<string, StoredWindow>>;
  save(states: readonly SyncState[]): Promise<void>;
};

/** One database per being, so that clearing one being never touches another's copy. */
const DATABASE_PREFIX = "rhizome-local:";
const STORE = "spaces";

const stores = new Map<string, UseStore>();
function storeOf(beingId: string): UseStore {
  let store = stores.get(beingId);
  if (!store) {
    store = createStore(`${DATABASE_PREFIX}${beingId}`, STORE);
    stores.set(beingId, store);
  }
  return store;
}

export const hasIndexedDb = () => typeof indexedDB !== "undefined";

/** Reads stored records, keeping the sound ones; `dropped` hears about the others. */
export function readRecords(
  records: Iterable<[unknown, unknown]>,
  dropped: (spaceId: string, outcome: StoredWindowOutcome) => void = () => {},
): Map<string, StoredWindow> {
  const kept = new Map<string, StoredWindow>();
  for (const [key, value] of records) {
    if (typeof key !== "string") continue;
    const outcome = parseStoredRecord(key, value);
    if (outcome.kind === "ok") kept.set(key.toLowerCase(), outcome.stored);
    else dropped(key, outcome);
  }
  return kept;
}

/** The local copy in IndexedDB (idb-keyval); where there is none, a copy that keeps nothing. */
export function indexedDbCopy(beingId: string): LocalCopy {
  if (!hasIndexedDb()) return NO_COPY;
  const store = storeOf(beingId);
  return {
    async load() {
      try {
        return readRecords(await entries(store));
      } catch {
        // Storage denied or broken: start from the server, as without a copy.
        return new Map();
      }
    },
    async save(states) {
      const records = states.flatMap((state) => {
        const record = toStoredRecord(state);
        return record ? [[state.spaceId, record] as [string, unknown]] : [];
      });
      if (records.length === 0) return;
      await setMany(records, store).catch(() => {});
    },
  };
}

export const NO_COPY: LocalCopy = { load: async () => new Map(), save: async () => {} };

/** Forgets the being's local copy (sign-out). Without IndexedDB there is nothing to forget. */
export async function clearLocalCopy(beingId: string): Promise<void> {
  if (!hasIndexedDb()) return;
  await clear(storeOf(beingId)).catch(() => {});
}
