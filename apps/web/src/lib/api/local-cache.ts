import { storageKeys } from "../storage-keys.ts";

/**
 * The last answers of the few queries a screen needs to open (a space, its members), kept
 * on this device per being, so that the app still opens a space while offline. Only read
 * as stale initial data: the server is asked again as soon as it can be.
 */
export class LocalCache {
  static readonly PREFIX = "rhizome:cache:";

  constructor(
    private readonly beingId: string,
    private readonly storage: Storage | undefined,
  ) {}

  get<T>(key: readonly unknown[]): T | undefined {
    try {
      const raw = this.storage?.getItem(this.#key(key));
      return raw ? (JSON.parse(raw) as T) : undefined;
    } catch {
      return undefined;
    }
  }

  set(key: readonly unknown[], value: unknown): void {
    try {
      this.storage?.setItem(this.#key(key), JSON.stringify(value));
    } catch {
      // Full or denied: only the offline start loses.
    }
  }

  delete(key: readonly unknown[]): void {
    try {
      this.storage?.removeItem(this.#key(key));
    } catch {
      // Nothing to forget.
    }
  }

  /** Forgets every being's cached answers (sign-out). */
  static clear(storage: Storage | undefined): void {
    try {
      if (!storage) return;
      for (const key of storageKeys(storage)) {
        if (key.startsWith(LocalCache.PREFIX)) storage.removeItem(key);
      }
    } catch {
      // Nothing to forget.
    }
  }

  #key(key: readonly unknown[]): string {
    return `${LocalCache.PREFIX}${this.beingId}:${JSON.stringify(key)}`;
  }
}
