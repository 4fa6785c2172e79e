import { canonicalId } from "@rhizome/protocol";
import { type LiveSession, liveSessionKeys } from "../data/sessions.ts";
import { membershipFacts } from "../data/spaces.ts";
import type { AccessChange } from "../db/channels.ts";
import type { Db, Listen } from "../db/client.ts";
import { type Failure, isFailure } from "../failure.ts";
import type { Fanout } from "../sync/fanout.ts";
import { SharedLoadCache } from "./cache.ts";
import { listenForAccessChanges } from "./changes.ts";
import { mayRead, type ReadKey, readKey } from "./rule.ts";

/** How long a session or read check is trusted without a notification saying otherwise. */
const TRUST_MS = 30_000;
/** How often open streams are checked against the database (lost notifications, expiry). */
export const REVALIDATE_MS = 60_000;

/**
 * Who may open and keep a stream, answered from memory where it is safe: sessions and read
 * access are cached briefly, evicted by the revocations every instance hears (the
 * `access_changes` notifications, which also end the open streams they name), forgotten
 * entirely when the listener reconnects (some may have been lost), and every open stream is
 * re-checked against the database on a slow timer. `epoch` moves with every revocation, so
 * a route can tell whether one landed while it was opening a stream.
 */
export class AccessGuard {
  /** Live sessions, trusted until their expiry at the latest (exact: expiry is in the entry). */
  readonly sessions = new SharedLoadCache<LiveSession | undefined>(
    (session, now) => Math.min(TRUST_MS, (session?.expiresAt ?? now) - now),
    (session) => session !== undefined,
  );
  readonly #reads = new SharedLoadCache<unknown>(TRUST_MS, (result) => !isFailure(result));
  #epoch = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Db,
    private readonly fanout: Fanout,
  ) {
    this.#timer = setInterval(() => void this.revalidate(), REVALIDATE_MS);
  }

  /** Starts hearing the revocations of every instance (this one included). */
  async start(listen: Listen): Promise<void> {
    this.#unlisten = await listenForAccessChanges(
      listen,
      (change) => this.revoke(change),
      () => {
        this.#forgetAll();
        void this.revalidate();
      },
    );
  }

  get epoch(): number {
    return this.#epoch;
  }

  /**
   * The spaces among `spaceIds` whose read by `beingId` is not cached as allowed (only
   * allowed reads are cached): only those need `canRead`. Synchronous, so that a stream of
   * many cached spaces makes no promise or closure per space.
   */
  uncheckedReads(spaceIds: readonly string[], beingId: string): string[] {
    return spaceIds.filter((spaceId) => !this.#reads.has(readKey(spaceId, beingId)));
  }

  /** A cached read check: `load` runs at most once for concurrent callers. */
  canRead<T>(
    spaceId: string,
    beingId: string,
    load: () => Promise<T | Failure>,
  ): Promise<T | Failure> {
    return this.#reads.get(readKey(spaceId, beingId), load) as Promise<T | Failure>;
  }

  /** A revocation: forget what it names and end the open streams it covers. */
  revoke(change: AccessChange): void {
    this.evict(change);
    if (change.kind === "session-revoked") {
      this.fanout.closeWhere((info) => info.sessionKey === change.sessionKey, "revoked");
    } else {
      // Removal from any followed space ends the whole stream (its client drops that space).
      const revoked = readKey(change.spaceId, change.beingId);
      this.fanout.closeWhere(
        (info) => info.spaceIds.some((spaceId) => readKey(spaceId, info.beingId) === revoked),
        "revoked",
      );
    }
  }

  /** Forgets what a revocation names, without touching streams. */
  evict(change: AccessChange): void {
    this.#epoch++;
    if (change.kind === "session-revoked") this.sessions.delete(change.sessionKey);
    else this.#reads.delete(readKey(change.spaceId, change.beingId));
  }

  /** Ends open streams whose session is gone or whose being may no longer read the space. */
  async revalidate(): Promise<void> {
    const open = this.fanout.openStreams();
    if (open.length === 0) return;
    try {
      const pairs = open.flatMap((info) =>
        info.spaceIds.map((spaceId) => ({ spaceId, beingId: info.beingId })),
      );
      const [live, readable] = await Promise.all([
        liveSessionKeys(this.db, [...new Set(open.map((info) => info.sessionKey))]),
        this.#readablePairs(pairs),
      ]);
      const closed = this.fanout.closeWhere(
        (info) =>
          !live.has(info.sessionKey) ||
          info.spaceIds.some((spaceId) => !readable.has(readKey(spaceId, info.beingId))),
        "revoked",
      );
      if (closed > 0) this.#forgetAll();
    } catch (error) {
      console.error("[access] revalidation failed:", (error as Error).message);
    }
  }

  async dispose(): Promise<void> {
    clearInterval(this.#timer);
    // Like the fan-out's: the database may already be closed, and then nothing listens anyway.
    await Promise.allSettled([this.#unlisten?.()]);
  }

  /** Of these pairs, the ones the read rule still allows, from one query. */
  async #readablePairs(pairs: { spaceId: string; beingId: string }[]): Promise<Set<ReadKey>> {
    const facts = await membershipFacts(this.db, pairs);
    const visibility = new Map(facts.map((fact) => [fact.spaceId, fact.visibility]));
    const roles = new Map(
      facts.flatMap((fact) =>
        fact.beingId === null ? [] : [[readKey(fact.spaceId, fact.beingId), fact.role] as const],
      ),
    );
    const readable = new Set<ReadKey>();
    for (const { spaceId, beingId } of pairs) {
      const key = readKey(spaceId, beingId);
      const spaceVisibility = visibility.get(canonicalId(spaceId));
      if (spaceVisibility && mayRead(spaceVisibility, roles.get(key) ?? null)) readable.add(key);
    }
    return readable;
  }

  #forgetAll(): void {
    this.#epoch++;
    this.sessions.clear();
    this.#reads.clear();
  }
}
