/**
 * Fixed-window counters per key, in this process. Enough to blunt brute force and floods;
 * behind several instances each one counts on its own.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { resetAt: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one unit; `retryAfter` (seconds) when the key is over its limit. */
  take(key: string): { ok: true } | { ok: false; retryAfter: number } {
    const now = this.now();
    const window = this.#windows.get(key);
    if (!window || window.resetAt <= now) {
      if (this.#windows.size > 100_000) this.#sweep(now);
      this.#windows.set(key, { resetAt: now + this.windowMs, count: 1 });
      return { ok: true };
    }
    if (window.count >= this.limit) {
      return { ok: false, retryAfter: Math.max(1, Math.ceil((window.resetAt - now) / 1000)) };
    }
    window.count++;
    return { ok: true };
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows) if (window.resetAt <= now) this.#windows.delete(key);
  }
}
