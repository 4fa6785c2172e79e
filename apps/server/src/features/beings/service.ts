import type { Being } from "@rhizome/protocol";
import { findBeing, findBeingByHandle, updateBeing } from "../../data/beings.ts";
import type { Db } from "../../db/client.ts";
import { type Failure, notFound } from "../../failure.ts";
import { type RateLimiter, refusal } from "../../limits/rate-limiter.ts";
import type { ProfileBody } from "./model.ts";

export class BeingsService {
  constructor(
    private readonly db: Db,
    /** Profile changes are writes: each one touches every space the being is in. */
    private readonly writes: RateLimiter,
  ) {}

  async get(id: string): Promise<Being | Failure> {
    return (await findBeing(this.db, id)) ?? notFound("being");
  }

  /** Finds a being by handle (lower case: the model made it so), e.g. to invite them. */
  async byHandle(handle: string): Promise<Being | Failure> {
    return (await findBeingByHandle(this.db, handle)) ?? notFound("being");
  }

  async updateProfile(id: string, changes: typeof ProfileBody.static): Promise<Being | Failure> {
    const limited = refusal(await this.writes.take(id), "too many writes");
    if (limited) return limited;
    const name = changes.name?.trim();
    const color = changes.color?.toLowerCase();
    if (name === undefined && color === undefined) {
      return (await findBeing(this.db, id)) ?? notFound("being");
    }
    return (
      (await updateBeing(this.db, id, {
        ...(name === undefined ? {} : { name }),
        ...(color === undefined ? {} : { color }),
      })) ?? notFound("being")
    );
  }
}
