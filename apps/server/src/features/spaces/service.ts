import type { Being, Space } from "@rhizome/protocol";
import { mayRead, readableOrRefusal } from "../../access/rule.ts";
import { findBeing } from "../../data/beings.ts";
import { markRead } from "../../data/read-marker.ts";
import { type ListedSpace, listVisibleSpaces } from "../../data/space-list.ts";
import {
  deleteMember,
  findSpaceFor,
  insertMember,
  insertSpace,
  listMembers,
  type Role,
} from "../../data/spaces.ts";
import type { AccessChange } from "../../db/channels.ts";
import type { Db } from "../../db/client.ts";
import {
  conflict,
  type Failure,
  forbidden,
  isFailure,
  notFound,
  rateLimited,
} from "../../failure.ts";
import { type RateLimiter, refusal } from "../../limits/rate-limiter.ts";
import type { CreateSpaceBody } from "./model.ts";

export type SpaceAccess = { space: Space; role: Role | null };

/** Spaces and who may see them: private spaces do not exist for outsiders (404, never 403). */
export class SpacesService {
  constructor(
    private readonly db: Db,
    /** Creating spaces and adding members count as writes, and against their own tighter limit. */
    private readonly limits: { writes: RateLimiter; spaces: RateLimiter },
    /** This instance hears of a revocation it made before answering; others, by notification. */
    private readonly revoked: (change: AccessChange) => void = () => {},
  ) {}

  async create(ownerId: string, input: typeof CreateSpaceBody.static): Promise<Space | Failure> {
    const limited = await this.#rateLimit(ownerId);
    if (limited) return limited;
    return insertSpace(this.db, {
      name: input.name.trim(),
      visibility: input.visibility ?? "public",
      ownerId,
    });
  }

  /** The caller's spaces (with their read state), then public ones, each with the caller's role. */
  list(beingId: string): Promise<ListedSpace[]> {
    return listVisibleSpaces(this.db, beingId);
  }

  /**
   * Moves the member's read marker forward (clamped to the head); members only. One
   * statement checks the session, the access and the write limit (data/read-marker.ts).
   */
  async markRead(
    spaceId: string,
    sessionKey: string,
    cursor: string,
  ): Promise<undefined | Failure> {
    const window = this.limits.writes.window();
    const found = readableOrRefusal(
      await markRead(this.db, { sessionKey, spaceId, cursor, window }),
    );
    if (isFailure(found)) return found;
    if (found.role === null) return forbidden("join the space to keep a read marker");
    if (!found.taken) return rateLimited("too many writes, slow down", window.retryAfter);
    return undefined;
  }

  /** The space as `beingId` may see it, with their role; 404 when it is not theirs to see. */
  async access(spaceId: string, beingId: string): Promise<SpaceAccess | Failure> {
    const found = await findSpaceFor(this.db, spaceId, beingId);
    if (!found || !mayRead(found.space.visibility, found.role)) return notFound("space");
    return found;
  }

  /** Joining a public space; a private one only "opens" to those already invited. */
  async join(spaceId: string, beingId: string): Promise<Space | Failure> {
    const access = await this.access(spaceId, beingId);
    if (isFailure(access)) return access;
    if (access.role === null) await insertMember(this.db, spaceId, beingId);
    return access.space;
  }

  async addMember(
    spaceId: string,
    actorId: string,
    beingId: string,
  ): Promise<{ added: boolean; role: Role } | Failure> {
    const access = await this.access(spaceId, actorId);
    if (isFailure(access)) return access;
    if (access.role !== "owner") return forbidden("only the owner adds members");
    if (!(await findBeing(this.db, beingId))) return notFound("being");
    const limited = await this.#rateLimit(actorId);
    if (limited) return limited;
    const added = await insertMember(this.db, spaceId, beingId);
    return { added, role: beingId === access.space.ownerId ? "owner" : "member" };
  }

  /** The owner removes anyone else; a member removes themselves. Streams of a private space end. */
  async removeMember(
    spaceId: string,
    actorId: string,
    beingId: string,
  ): Promise<undefined | Failure> {
    const access = await this.access(spaceId, actorId);
    if (isFailure(access)) return access;
    const self = actorId === beingId;
    if (!self && access.role !== "owner") return forbidden("only the owner removes other members");
    if (beingId === access.space.ownerId) return conflict("the owner cannot leave their space");
    // Leaving a private space notifies every instance (a trigger), ending its streams there.
    const removed = await deleteMember(this.db, spaceId, beingId);
    if (removed && access.space.visibility === "private") {
      this.revoked({ kind: "member-removed", spaceId, beingId });
    }
    return undefined;
  }

  async beings(spaceId: string, actorId: string): Promise<Being[] | Failure> {
    const access = await this.access(spaceId, actorId);
    if (isFailure(access)) return access;
    return listMembers(this.db, spaceId);
  }

  async #rateLimit(beingId: string): Promise<Failure | undefined> {
    return (
      refusal(await this.limits.spaces.take(beingId), "too many spaces and members") ??
      refusal(await this.limits.writes.take(beingId), "too many writes")
    );
  }
}
