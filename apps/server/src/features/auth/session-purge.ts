import { deleteExpiredSessions } from "../../data/sessions.ts";
import type { Db } from "../../db/client.ts";

const HOUR = 3_600_000;

/**
 * Deletes expired sessions now and then. They are refused the moment they expire (every
 * lookup checks `expires_at`); this only keeps the table from growing for ever.
 */
export class SessionPurge {
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly db: Db,
    private readonly everyMs = HOUR,
  ) {}

  start(): void {
    void this.run();
    this.#timer = setInterval(() => void this.run(), this.everyMs);
    this.#timer.unref?.();
  }

  /** One pass; resolves with how many sessions it deleted (0 when the database is away). */
  async run(): Promise<number> {
    try {
      return await deleteExpiredSessions(this.db);
    } catch (error) {
      console.error("[auth] purging expired sessions failed:", (error as Error).message);
      return 0;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
