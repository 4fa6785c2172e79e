import type { Being } from "@rhizome/protocol";
import { liveSessionKeys } from "../data/sessions.ts";
import { readablePairs } from "../data/spaces.ts";
import type { AccessChange } from "../db/channels.ts";
import type { Db } from "../db/client.ts";
import { type Failure, isFailure } from "../http/failure.ts";
import type { Fanout } from "../sync/fanout.ts";
import { SharedLoadCache } from "./cache.ts";

/** How long a session or read check is trusted without a notification saying otherwise. */
const TRUST_MS = 30_000;
/** How often open streams are checked against the database (lost notifications, expiry). */
export const REVALIDATE_MS = 60_000;

const pairKey = (spaceId: string, beingId: string) => `${spaceId}|${beingId}`;

/**
 * Who may open and keep a stream, answered from memory where it is safe: sessions and read
 * access are cached briefly, evicted by the revocations every instance hears (the
 * `access_changes` notifications), forgotten entirely when the listener reconnects (some
 * may have been lost), and every open stream is re-checked against the database on a slow
 * timer. `epoch` moves with every revocation, so a route can tell whether one landed while
 * it was opening a stream.
 */
export class AccessGuard {
  readonly sessions = new SharedLoadCache<Being | undefined>(
    TRUST_MS,
    (being) => being !== undefined,
  );
  readonly #reads = new SharedLoadCache<unknown>(TRUST_MS, (result) => !isFailure(result));
  #epoch = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly db: Db,
    private readonly fanout: Fanout,
  ) {
    fanout.onAccessChange((change) => this.evict(change));
    fanout.onListenerReconnect(() => {
      this.#forgetAll();
      void this.revalidate();
    });
    this.#timer = setInterval(() => void this.revalidate(), REVALIDATE_MS);
  }

  get epoch(): number {
    return this.#epoch;
  }

  /** A cached read check: `load` runs at most once for concurrent callers. */
  canRead<T>(
    spaceId: string,
    beingId: string,
    load: () => Promise<T | Failure>,
  ): Promise<T | Failure> {
    return this.#reads.get(pairKey(spaceId, beingId), load) as Promise<T | Failure>;
  }

  evict(change: AccessChange): void {
    this.#epoch++;
    if (change.kind === "session-revoked") this.sessions.delete(change.sessionKey);
    else this.#reads.delete(pairKey(change.spaceId, change.beingId));
  }

  /** Ends open streams whose session is gone or whose being may no longer read the space. */
  async revalidate(): Promise<void> {
    const open = this.fanout.openStreams();
    if (open.length === 0) return;
    try {
      const [live, readable] = await Promise.all([
        liveSessionKeys(this.db, [...new Set(open.map((info) => info.sessionKey))]),
        readablePairs(this.db, open),
      ]);
      const closed = this.fanout.closeWhere(
        (info) => !live.has(info.sessionKey) || !readable.has(pairKey(info.spaceId, info.beingId)),
        "revoked",
      );
      if (closed > 0) this.#forgetAll();
    } catch (error) {
      console.error("[access] revalidation failed:", (error as Error).message);
    }
  }

  dispose(): void {
    clearInterval(this.#timer);
  }

  #forgetAll(): void {
    this.#epoch++;
    this.sessions.clear();
    this.#reads.clear();
  }
}
