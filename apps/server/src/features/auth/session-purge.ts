import { deleteRateLimitsBefore } from "../../data/rate-limits.ts";
import { deleteExpiredSessions } from "../../data/sessions.ts";
import type { Db } from "../../db/client.ts";
import { MAX_WINDOW_MS } from "../../limits/rate-limiter.ts";

const HOUR = 3_600_000;

/**
 * Deletes expired sessions and finished rate-limit windows now and then. Sessions are refused
 * the moment they expire (every lookup checks `expires_at`); this only keeps tables small.
 */
export class SessionPurge {
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly db: Db,
    private readonly everyMs = HOUR,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    void this.run();
    this.#timer = setInterval(() => void this.run(), this.everyMs);
    this.#timer.unref?.();
  }

  /** One pass; resolves with how many sessions it deleted (0 when the database is away). */
  async run(): Promise<number> {
    try {
      await deleteRateLimitsBefore(this.db, this.now() - MAX_WINDOW_MS);
      return await deleteExpiredSessions(this.db);
    } catch (error) {
      console.error(
        "[auth] purging expired sessions or rate windows failed:",
        (error as Error).message,
      );
      return 0;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
