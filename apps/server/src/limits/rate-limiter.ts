import { countHit, type RateWindow } from "../data/rate-limits.ts";
import type { Db } from "../db/client.ts";
import { type Failure, rateLimited } from "../failure.ts";

export type Take = { ok: true } | { ok: false; retryAfter: number };

/** The longest window a limiter may use: the purge keeps windows younger than this. */
export const MAX_WINDOW_MS = 3_600_000;

/**
 * Fixed-window counters per key, kept in the database so that every process and instance
 * shares one budget (README, Configuration). One upsert per take.
 */
export class RateLimiter {
  constructor(
    private readonly db: Db,
    /** Prefixes the keys, so that limiters sharing the table never share a counter. */
    private readonly name: string,
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (windowMs > MAX_WINDOW_MS) throw new Error(`a rate window is at most ${MAX_WINDOW_MS} ms`);
  }

  /** Takes one unit; `retryAfter` (seconds) when the key is over its limit. */
  async take(key: string): Promise<Take> {
    const window = this.window();
    const count = await countHit(this.db, {
      key: `${window.keyPrefix}${key}`,
      windowStart: window.windowStart,
      limit: window.limit,
    });
    if (count !== undefined) return { ok: true };
    return { ok: false, retryAfter: window.retryAfter };
  }

  /**
   * The current window, for a statement that takes its unit itself (a post, in one round
   * trip): the same counter and rule as `take`, keyed `keyPrefix` + the key.
   */
  window(): RateWindow & { retryAfter: number } {
    const now = this.now();
    const windowStart = now - (now % this.windowMs);
    return {
      keyPrefix: `${this.name}:`,
      windowStart,
      limit: this.limit,
      retryAfter: Math.max(1, Math.ceil((windowStart + this.windowMs - now) / 1000)),
    };
  }
}

/** A refused take as the service's failure (429 with Retry-After), or undefined when allowed. */
export function refusal(take: Take, what: string): Failure | undefined {
  return take.ok ? undefined : rateLimited(`${what}, slow down`, take.retryAfter);
}
