import type { Being } from "@rhizome/protocol";
import { findBeing, findBeingByHandle, updateBeing } from "../../data/beings.ts";
import type { Db } from "../../db/client.ts";
import { type Failure, notFound } from "../../http/failure.ts";

export class BeingsService {
  constructor(private readonly db: Db) {}

  async get(id: string): Promise<Being | Failure> {
    return (await findBeing(this.db, id)) ?? notFound("being");
  }

  /** Finds a being by handle, e.g. to invite them into a space. */
  async byHandle(handle: string): Promise<Being | Failure> {
    return (await findBeingByHandle(this.db, handle.toLowerCase())) ?? notFound("being");
  }

  async updateProfile(
    id: string,
    changes: { name?: string; color?: string },
  ): Promise<Being | Failure> {
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
