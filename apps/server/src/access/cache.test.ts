import { describe, expect, test } from "bun:test";
import { SharedLoadCache } from "./cache.ts";

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe("SharedLoadCache", () => {
  test("concurrent misses share one load; hits within the TTL load nothing", async () => {
    let now = 0;
    const cache = new SharedLoadCache<string>(
      1000,
      () => true,
      () => now,
    );
    let loads = 0;
    const load = async () => `value ${++loads}`;
    const answers = await Promise.all(Array.from({ length: 100 }, () => cache.get("k", load)));
    expect(new Set(answers)).toEqual(new Set(["value 1"]));
    now = 999;
    expect(await cache.get("k", load)).toBe("value 1");
    now = 1000;
    expect(await cache.get("k", load)).toBe("value 2");
  });

  test("has: what get would answer without loading, until the TTL passes or it is dropped", async () => {
    let now = 0;
    const cache = new SharedLoadCache<string | undefined>(
      1000,
      (value) => value !== undefined,
      () => now,
    );
    const pending = deferred<string>();
    const loading = cache.get("k", () => pending.promise);
    expect(cache.has("k")).toBe(false); // a load in flight is not an answer yet
    pending.resolve("v");
    await loading;
    await cache.get("refused", async () => undefined);
    expect([cache.has("k"), cache.has("refused")]).toEqual([true, false]);
    now = 999;
    expect(cache.has("k")).toBe(true);
    now = 1000;
    expect(cache.has("k")).toBe(false);
    now = 0;
    cache.delete("k");
    expect(cache.has("k")).toBe(false);
  });

  test("values the predicate refuses are not remembered", async () => {
    const cache = new SharedLoadCache<string | undefined>(1000, (value) => value !== undefined);
    let loads = 0;
    const missing = async () => {
      loads++;
      return undefined;
    };
    await cache.get("missing", missing);
    await cache.get("missing", missing);
    expect(loads).toBe(2);
  });

  test("a load in flight when its key is evicted does not refill the cache", async () => {
    const cache = new SharedLoadCache<string>(60_000, () => true);
    const slow = deferred<string>();
    const first = cache.get("session", () => slow.promise);
    cache.delete("session"); // a revocation arrives while the stale read is in flight
    slow.resolve("stale");
    expect(await first).toBe("stale");
    expect(await cache.get("session", async () => "fresh")).toBe("fresh");
  });

  test("a value-dependent TTL: nothing is trusted past the value's own expiry", async () => {
    let now = 0;
    const cache = new SharedLoadCache<{ expiresAt: number }>(
      (value, at) => Math.min(30_000, value.expiresAt - at),
      () => true,
      () => now,
    );
    let loads = 0;
    const load = async () => ({ expiresAt: 500 + 0 * ++loads });
    await cache.get("session", load);
    now = 499;
    await cache.get("session", load);
    expect(loads).toBe(1);
    now = 500; // expired: asked again, not answered from memory
    await cache.get("session", load);
    expect(loads).toBe(2);
    // Already expired when loaded: never remembered.
    await cache.get("session", load);
    expect(loads).toBe(3);
  });

  test("clear forgets everything", async () => {
    const cache = new SharedLoadCache<number>(60_000, () => true);
    await cache.get("a", async () => 1);
    cache.clear();
    expect(await cache.get("a", async () => 2)).toBe(2);
  });
});
