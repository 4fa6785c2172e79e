import { storageKeys } from "../storage-keys.ts";
import type { Locks } from "../sync/hub/links.ts";
import type { OutboxStore } from "./outbox.svelte.ts";
import { type OutboxEntry, parseEntries } from "./outbox.ts";

const KEY_PREFIX = "rhizome:outbox:";

/** The `storage` events of other tabs (the window), so that their outboxes are watched too. */
export type StorageEvents = {
  addEventListener(type: "storage", listener: (event: StorageChange) => void): void;
  removeEventListener(type: "storage", listener: (event: StorageChange) => void): void;
};

/** The parts of a `StorageEvent` the hand-over reads. */
export type StorageChange = { key: string | null; newValue: string | null };

export type TabOwnership = {
  /** Unique to this page load: its entries live under their own key. */
  tabId: string;
  locks: Locks;
  events?: StorageEvents;
};

/** The key of one being's outbox in one tab; the shared key (no tab) is the older layout. */
export function outboxKey(beingId: string, tabId?: string): string {
  return tabId === undefined ? `${KEY_PREFIX}${beingId}` : `${KEY_PREFIX}${beingId}:${tabId}`;
}

/**
 * The outbox of one being, in localStorage: it survives reloads and offline restarts.
 *
 * With `ownership`, each tab keeps its entries under a key of its own, held by a Web Lock for
 * the tab's life, so two tabs never overwrite each other's entries. A tab waits on the lock
 * of every other tab's key; when that tab goes (closed, reloaded, crashed), the lock passes
 * and the entries it left are adopted here and sent, never lost. Without Web Locks every tab
 * shares one key, as before.
 */
export function localOutboxStore(
  beingId: string,
  storage: Storage | undefined,
  ownership?: TabOwnership,
): OutboxStore {
  const key = outboxKey(beingId, ownership?.tabId);
  const read = (name: string) => {
    try {
      return parseEntries(storage?.getItem(name) ?? null);
    } catch {
      return [];
    }
  };
  return {
    load: () => read(key),
    save: (entries: readonly OutboxEntry[]) => {
      try {
        if (entries.length === 0) storage?.removeItem(key);
        else storage?.setItem(key, JSON.stringify(entries));
      } catch {
        // Storage full or denied (private mode): the outbox still works for this page's life.
      }
    },
    ...(ownership && storage
      ? {
          adopt: (onAdopted) => watchOtherTabs(beingId, key, storage, ownership, read, onAdopted),
          watchOthers: (onChange) =>
            watchOthersEntries(beingId, key, storage, ownership, read, onChange),
        }
      : {}),
  };
}

/**
 * What the being's other open tabs still have to send, now and after every change they make,
 * so that each tab shows the being's pending messages wherever they were written.
 */
function watchOthersEntries(
  beingId: string,
  ownKey: string,
  storage: Storage,
  { events }: TabOwnership,
  read: (key: string) => OutboxEntry[],
  onChange: (entries: OutboxEntry[]) => void,
): () => void {
  const collect = () =>
    onChange(
      storageKeys(storage)
        .filter((other) => other !== ownKey && isOutboxOf(beingId, other))
        .flatMap(read),
    );
  collect();
  const onStorage = (event: StorageChange) => {
    if (event.key !== null && isOutboxOf(beingId, event.key)) collect();
  };
  events?.addEventListener("storage", onStorage);
  return () => events?.removeEventListener("storage", onStorage);
}

/** Holds this tab's lock, and adopts the entries of every other tab of `beingId` once it goes. */
function watchOtherTabs(
  beingId: string,
  ownKey: string,
  storage: Storage,
  { locks, events }: TabOwnership,
  read: (key: string) => OutboxEntry[],
  onAdopted: (entries: OutboxEntry[]) => void,
): () => void {
  let closed = false;
  let releaseOwn = () => {};
  void locks.request(
    ownKey,
    () =>
      new Promise<void>((resolve) => {
        releaseOwn = resolve;
        if (closed) resolve();
      }),
  );
  const watched = new Set<string>([ownKey]);
  const watch = (other: string) => {
    if (closed || watched.has(other) || !isOutboxOf(beingId, other)) return;
    watched.add(other);
    // Granted only once the other tab holds it no more: whatever its key still has is ours.
    void locks.request(other, async () => {
      watched.delete(other);
      if (closed) return;
      const entries = read(other);
      try {
        if (storage.getItem(other) !== null) storage.removeItem(other);
      } catch {
        // Denied storage: the entries are adopted all the same.
      }
      if (entries.length > 0) onAdopted(entries);
    });
  };
  for (const other of storageKeys(storage)) watch(other);
  // A key written by a tab opened after this one; a removal leaves nothing to adopt.
  const onStorage = (event: StorageChange) => {
    if (event.key !== null && event.newValue !== null) watch(event.key);
  };
  events?.addEventListener("storage", onStorage);
  return () => {
    closed = true;
    events?.removeEventListener("storage", onStorage);
    releaseOwn();
  };
}

function isOutboxOf(beingId: string, key: string): boolean {
  const shared = outboxKey(beingId);
  return key === shared || key.startsWith(`${shared}:`);
}
