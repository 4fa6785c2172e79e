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

export type StreamRequest = SubscriberInfo & {
  since: Cursor | undefined;
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
    const { since, accessEpoch, sessionIsLive, signal, ...info } = request;
    const early = this.fanout.admission(info);
    if (early) return REFUSALS[early];
    // Cached, so that a reconnect storm costs no query per stream.
    const readable = await this.guard.canRead(info.spaceId, info.beingId, () =>
      this.readCheck(info.spaceId, info.beingId),
    );
    if (isFailure(readable)) return readable;
    const opened = this.fanout.open(info, since);
    if (!opened.ok) return REFUSALS[opened.reason];
    const { subscriber } = opened;
    signal.addEventListener("abort", () => subscriber.close("client-gone"), { once: true });
    if (signal.aborted) subscriber.close("client-gone");
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
    const [live, access] = await Promise.all([
      sessionIsLive(),
      this.readCheck(info.spaceId, info.beingId),
    ]);
    if (isFailure(access)) return access;
    return live ? true : revoked();
  }
}
