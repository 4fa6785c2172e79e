import type { Intention } from "@rhizome/protocol";
import { mayRead, readableOrRefusal } from "../../access/rule.ts";
import {
  type ChangeOutcome,
  editIntention,
  tombstoneIntention,
} from "../../data/change-intention.ts";
import { readHistoryPage } from "../../data/intentions.ts";
import { type PostOutcome, postIntention } from "../../data/post-intention.ts";
import type { Db } from "../../db/client.ts";
import {
  conflict,
  type Failure,
  forbidden,
  isFailure,
  notFound,
  rateLimited,
  revoked,
} from "../../failure.ts";
import type { RateLimiter } from "../../limits/rate-limiter.ts";
import type { LocalChange, WriteHooks } from "../../sync/source.ts";
import type { HistoryQuery, PostBody } from "./model.ts";

export const DEFAULT_HISTORY_LIMIT = 50;

/** A service without a sync engine (the hooks are sync/siblings.ts's in the server). */
const NO_HOOKS: WriteHooks = { writing: () => () => {}, stored: () => {}, committed: () => {} };

/** Runs a step once the current request's answer is on its way: the next turn of the loop. */
export type AfterAnswer = (step: () => void) => void;

export class IntentionsService {
  constructor(
    private readonly db: Db,
    private readonly writes: RateLimiter,
    private readonly sync: WriteHooks = NO_HOOKS,
    private readonly afterAnswer: AfterAnswer = setImmediate,
  ) {}

  /**
   * Posts once per client-made id: a replay answers the stored intention, a reuse is a
   * conflict. The session, membership and write limit are checked in the post's one
   * statement (data/post-intention.ts), so each is read as of this very request.
   */
  async post(
    spaceId: string,
    sessionKey: string,
    input: typeof PostBody.static,
  ): Promise<{ intention: Intention; created: boolean } | Failure> {
    const window = this.writes.window();
    const ended = this.sync.writing(spaceId);
    let outcome: PostOutcome | undefined;
    try {
      outcome = await postIntention(this.db, {
        sessionKey,
        spaceId,
        id: input.id ?? crypto.randomUUID(),
        content: input.content,
        window,
      });
    } finally {
      // The other processes hear of the change at once (`stored`); the sender's answer goes
      // out next: the send to this instance's subscribers (tens of ms for thousands) follows
      // it, and the post ends only once its change is handed over.
      const change =
        outcome?.kind === "done" && outcome.created && outcome.intention
          ? { local: localChange(outcome.intention, outcome.previousHead) }
          : undefined;
      if (change) this.sync.stored(spaceId, change.local);
      this.afterAnswer(() => {
        if (change) this.sync.committed(spaceId, change.local);
        ended();
      });
    }
    if (outcome.kind === "no-session") return revoked();
    if (outcome.kind === "no-space") return notFound("space");
    const { authorId, visibility, role, taken, created, intention: stored } = outcome;
    if (!mayRead(visibility, role)) return notFound("space");
    if (created && stored) {
      const { deleted: _, ...intention } = stored;
      return { intention, created: true };
    }
    const refused =
      role === null
        ? forbidden("join the space before posting")
        : taken
          ? undefined
          : rateLimited("too many writes, slow down", window.retryAfter);
    // Nothing inserted, nothing refused: only a space that vanished meanwhile.
    if (!stored) return refused ?? notFound("space");
    // A retry of a post that landed (the author left since, or hit the rate limit) must
    // learn that it landed, or an outbox would drop a message that is in fact stored.
    const replay = this.#asReplay(stored, spaceId, authorId, input.content);
    return refused && isFailure(replay) ? refused : replay;
  }

  /** An edit's or a delete's change: read back by every channel on its notification. */
  #changed(spaceId: string): void {
    this.sync.stored(spaceId);
    this.sync.committed(spaceId);
  }

  /** An id already stored: the same post again is a replay, anything else reuses the id. */
  #asReplay(
    stored: Intention & { deleted: boolean },
    spaceId: string,
    authorId: string,
    content: string,
  ): { intention: Intention; created: false } | Failure {
    const { deleted, ...existing } = stored;
    const replay =
      !deleted &&
      existing.spaceId === spaceId &&
      existing.authorId === authorId &&
      existing.content === content;
    if (!replay) return conflict(`the id ${existing.id} is already used by another intention`);
    return { intention: existing, created: false };
  }

  /** The author edits; the same content again is a 200 that changes nothing. One statement. */
  async edit(id: string, sessionKey: string, content: string): Promise<Intention | Failure> {
    const window = this.writes.window();
    const outcome = await editIntention(this.db, { sessionKey, id, content, window });
    const found = this.#found(outcome);
    if (isFailure(found)) return found;
    const { current, beingId, taken, changed } = found;
    if (current.deleted) return notFound("intention");
    if (current.authorId !== beingId) return forbidden("only the author edits an intention");
    if (!taken) return rateLimited("too many writes, slow down", window.retryAfter);
    if (!changed) {
      const { deleted: _, ...unchanged } = current;
      return unchanged;
    }
    this.#changed(current.spaceId);
    return changed;
  }

  /** The author or the space's owner deletes; deleting again still succeeds. One statement. */
  async delete(id: string, sessionKey: string): Promise<undefined | Failure> {
    const window = this.writes.window();
    const outcome = await tombstoneIntention(this.db, { sessionKey, id, window });
    const found = this.#found(outcome);
    if (isFailure(found)) return found;
    const { current, beingId, role, taken, changed } = found;
    if (current.authorId !== beingId && role !== "owner") {
      return forbidden("only the author or the space's owner deletes an intention");
    }
    if (current.deleted) return undefined;
    if (!taken) return rateLimited("too many writes, slow down", window.retryAfter);
    if (changed) this.#changed(current.spaceId);
    return undefined;
  }

  /** The intention as the asker may see it: 401 without a session, 404 when not theirs to see. */
  #found(outcome: ChangeOutcome): Extract<ChangeOutcome, { kind: "found" }> | Failure {
    if (outcome.kind === "no-session") return revoked();
    if (outcome.kind === "no-intention") return notFound("intention");
    if (!mayRead(outcome.visibility, outcome.role)) return notFound("intention");
    return outcome;
  }

  /** A page of history, in one statement with the session and access checks. */
  async history(
    spaceId: string,
    sessionKey: string,
    query: typeof HistoryQuery.static,
  ): Promise<{ intentions: Intention[]; hasMore: boolean } | Failure> {
    const found = readableOrRefusal(
      await readHistoryPage(this.db, {
        sessionKey,
        spaceId,
        before: query.before,
        limit: query.limit ?? DEFAULT_HISTORY_LIMIT,
      }),
    );
    if (isFailure(found)) return found;
    return { intentions: found.intentions, hasMore: found.hasMore };
  }
}

/** A post's change, with the head it followed, so that a channel may send it unread. */
function localChange(
  stored: Intention & { deleted: boolean },
  previous: string | null,
): LocalChange | undefined {
  const { deleted: _, ...intention } = stored;
  return previous === null ? undefined : { previous, change: { ...intention, deletedAt: null } };
}
