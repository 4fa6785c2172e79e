import type { Intention } from "@rhizome/protocol";
import { mayRead } from "../../access/rule.ts";
import {
  editIntention,
  findWithTombstone,
  readHistoryPage,
  tombstoneIntention,
} from "../../data/intentions.ts";
import { postIntention } from "../../data/post-intention.ts";
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
import { type RateLimiter, refusal } from "../../limits/rate-limiter.ts";
import type { SpacesService } from "../spaces/service.ts";
import type { HistoryQuery, PostBody } from "./model.ts";

export const DEFAULT_HISTORY_LIMIT = 50;

export class IntentionsService {
  constructor(
    private readonly db: Db,
    private readonly spaces: SpacesService,
    private readonly writes: RateLimiter,
    /** Told of each change this process commits, before its notification arrives. */
    private readonly committed: (spaceId: string) => void = () => {},
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
    const outcome = await postIntention(this.db, {
      sessionKey,
      spaceId,
      id: input.id ?? crypto.randomUUID(),
      content: input.content,
      window,
    });
    if (outcome.kind === "no-session") return revoked();
    if (outcome.kind === "no-space") return notFound("space");
    const { authorId, visibility, role, taken, created, intention: stored } = outcome;
    if (!mayRead(visibility, role)) return notFound("space");
    if (created && stored) {
      this.committed(spaceId);
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

  async edit(id: string, actorId: string, content: string): Promise<Intention | Failure> {
    const current = await findWithTombstone(this.db, id);
    if (!current || current.deleted) return notFound("intention");
    const access = await this.spaces.access(current.spaceId, actorId);
    if (isFailure(access)) return notFound("intention");
    if (current.authorId !== actorId) return forbidden("only the author edits an intention");
    const limited = refusal(await this.writes.take(actorId), "too many writes");
    if (limited) return limited;
    const outcome = await editIntention(this.db, { id, spaceId: current.spaceId, content });
    if (outcome.kind === "edited") this.committed(current.spaceId);
    return outcome.kind === "gone" ? notFound("intention") : outcome.intention;
  }

  /** The author or the space's owner deletes; deleting again still succeeds. */
  async delete(id: string, actorId: string): Promise<undefined | Failure> {
    const current = await findWithTombstone(this.db, id);
    if (!current) return notFound("intention");
    const access = await this.spaces.access(current.spaceId, actorId);
    if (isFailure(access)) return notFound("intention");
    if (current.authorId !== actorId && access.role !== "owner") {
      return forbidden("only the author or the space's owner deletes an intention");
    }
    if (current.deleted) return undefined;
    const limited = refusal(await this.writes.take(actorId), "too many writes");
    if (limited) return limited;
    const deleted = await tombstoneIntention(this.db, { id, spaceId: current.spaceId });
    if (deleted === "deleted") this.committed(current.spaceId);
    return undefined;
  }

  async history(
    spaceId: string,
    actorId: string,
    query: typeof HistoryQuery.static,
  ): Promise<{ intentions: Intention[]; hasMore: boolean } | Failure> {
    const access = await this.spaces.access(spaceId, actorId);
    if (isFailure(access)) return access;
    return readHistoryPage(this.db, {
      spaceId,
      before: query.before,
      limit: query.limit ?? DEFAULT_HISTORY_LIMIT,
    });
  }
}
