import type { OutboxStore } from "./outbox.svelte.ts";
import { type OutboxEntry, parseEntries } from "./outbox.ts";

const KEY_PREFIX = "rhizome:outbox:";

/** The outbox of one being, in localStorage: it survives reloads and offline restarts. */
export function localOutboxStore(beingId: string, storage: Storage | undefined): OutboxStore {
  const key = `${KEY_PREFIX}${beingId}`;
  return {
    load: () => {
      try {
        return parseEntries(storage?.getItem(key) ?? null);
      } catch {
        return [];
      }
    },
    save: (entries: readonly OutboxEntry[]) => {
      try {
        if (entries.length === 0) storage?.removeItem(key);
        else storage?.setItem(key, JSON.stringify(entries));
      } catch {
        // Storage full or denied (private mode): the outbox still works for this page's life.
      }
    },
  };
}
