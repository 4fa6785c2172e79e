/**
 * A small TTL cache whose concurrent misses share one load (single flight), so that a
 * reconnect storm of thousands of identical checks costs one query. Only values a `keep`
 * predicate accepts are remembered; entries can be dropped one by one or all at once.
 * The TTL may depend on the value (a session is never trusted past its expiry).
 */
export class SharedLoadCache<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();
  readonly #loading = new Map<string, Promise<V>>();
  /** Bumped by every eviction: a load that started before one must not refill the cache. */
  #generation = 0;

  constructor(
    private readonly ttlMs: number | ((value: V, now: number) => number),
    private readonly keep: (value: V) => boolean,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 100_000,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit && hit.until > this.now()) return hit.value;
    const pending = this.#loading.get(key);
    if (pending) return pending;
    const generation = this.#generation;
    const loading = load().finally(() => this.#loading.delete(key));
    this.#loading.set(key, loading);
    const value = await loading;
    if (generation === this.#generation && this.keep(value)) {
      if (this.#entries.size >= this.maxEntries) this.#entries.clear();
      const now = this.now();
      const ttl = typeof this.ttlMs === "number" ? this.ttlMs : this.ttlMs(value, now);
      if (ttl > 0) this.#entries.set(key, { value, until: now + ttl });
    }
    return value;
  }

  /** Whether `key` holds a value still within its TTL (what `get` would answer at once). */
  has(key: string): boolean {
    const hit = this.#entries.get(key);
    return hit !== undefined && hit.until > this.now();
  }

  delete(key: string): void {
    this.#generation++;
    this.#entries.delete(key);
    this.#loading.delete(key);
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
    this.#loading.clear();
  }
}
