import type { Cursor } from "@rhizome/protocol";
import { type Failure, isFailure, rateLimited, revoked, unavailable } from "../failure.ts";
import type { Fanout, Refusal } from "../sync/fanout.ts";
import type { Subscriber, SubscriberInfo } from "../sync/subscriber.ts";
import type { AccessGuard } from "./guard.ts";

/** The answer to each refusal; a shutting-down instance's clients go elsewhere at once. */
const REFUSALS: Record<Refusal, Failure> = {
  "being-over-cap": rateLimited("too many open streams for this being", 5),
  "address-over-cap": rateLimited("too many open streams from this address", 5),
  "at-capacity": unavailable("this instance is at its stream capacity, retry shortly", 5),
  "shutting-down": unavailable("this instance is shutting down, reconnect", 1),
};

export type StreamRequest = Omit<SubscriberInfo, "spaceIds"> & {
  /** One entry: a single-space stream (GET); `many`: a multi-space one (POST), even of one. */
  spaces: readonly { spaceId: string; since?: Cursor; page?: number }[];
  many: boolean;
  /** The revocation count read before the session was checked. */
  accessEpoch: number;
  /** Asks the database whether the session still stands. */
  sessionIsLive: () => Promise<boolean>;
  /** The client going away: a stream that is still being opened must not be held open. */
  signal: AbortSignal;
};

/** What a space must answer for a being to read it: the space rule of the spaces feature. */
export type ReadCheck = (spaceId: string, beingId: string) => Promise<unknown | Failure>;

/**
 * Opens streams for the stream routes: admission first (before any work, so that a full
 * instance keeps answering everything else), then the cached read check, then the attach,
 * and a database re-check only when a revocation landed meanwhile.
 */
export class StreamService {
  constructor(
    private readonly guard: AccessGuard,
    private readonly fanout: Fanout,
    private readonly readCheck: ReadCheck,
  ) {}

  async open(request: StreamRequest): Promise<Subscriber | Failure> {
    const { spaces, many, accessEpoch, sessionIsLive, signal, ...who } = request;
    const info: SubscriberInfo = { ...who, spaceIds: spaces.map((entry) => entry.spaceId) };
    const early = this.fanout.admission(info);
    if (early) return REFUSALS[early];
    // Cached, so that a reconnect storm costs no query per stream; any unreadable space
    // refuses the whole request, with the same answer for a missing and a private one.
    const unchecked = this.guard.uncheckedReads(info.spaceIds, info.beingId);
    const refused = await this.#firstRefusal(unchecked, (spaceId) =>
      this.guard.canRead(spaceId, info.beingId, () => this.readCheck(spaceId, info.beingId)),
    );
    if (refused) return refused;
    const first = spaces[0];
    const opened =
      many || !first ? this.fanout.openMany(info, spaces) : this.fanout.open(info, first.since);
    if (!opened.ok) return REFUSALS[opened.reason];
    const { subscriber } = opened;
    closeOnAbort(signal, subscriber);
    // A revocation heard after the checks above but before `open` found no stream to close;
    // any later one will. Only if one was heard meanwhile, ask the database once more.
    if (this.guard.epoch !== accessEpoch) {
      const stillAllowed = await this.#recheck(info, sessionIsLive).catch((error: unknown) => {
        subscriber.close("error");
        throw error;
      });
      if (stillAllowed !== true) {
        subscriber.close("revoked");
        return stillAllowed;
      }
    }
    return subscriber;
  }

  async #recheck(
    info: SubscriberInfo,
    sessionIsLive: () => Promise<boolean>,
  ): Promise<true | Failure> {
    const [live, refused] = await Promise.all([
      sessionIsLive(),
      this.#firstRefusal(info.spaceIds, (spaceId) => this.readCheck(spaceId, info.beingId)),
    ]);
    if (refused) return refused;
    return live ? true : revoked();
  }

  /** The first failure of `check` over these spaces (in their order), checked side by side. */
  async #firstRefusal(
    spaceIds: readonly string[],
    check: (spaceId: string) => Promise<unknown>,
  ): Promise<Failure | undefined> {
    if (spaceIds.length === 0) return undefined;
    const answers = await Promise.all(spaceIds.map(check));
    return answers.find(isFailure);
  }
}

/**
 * Ends the stream when its client goes away. Its own (not async) scope: a listener made in
 * the async `open` would keep open's whole frame (the request's list of spaces) alive for the
 * stream's whole life.
 */
function closeOnAbort(signal: AbortSignal, subscriber: Subscriber): void {
  signal.addEventListener("abort", () => subscriber.close("client-gone"), { once: true });
  if (signal.aborted) subscriber.close("client-gone");
}
