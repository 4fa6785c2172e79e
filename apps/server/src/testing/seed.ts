import { insertBeing } from "../data/beings.ts";
import { insertSpace } from "../data/spaces.ts";
import type { Db } from "../db/client.ts";

/** A being and a public space it owns, straight through the data layer (no HTTP, no hashing). */
export async function seedOwnedSpace(
  db: Db,
  handle: string,
): Promise<{ authorId: string; spaceId: string }> {
  const being = await insertBeing(db, {
    handle,
    name: handle,
    color: "#123456",
    passwordHash: "x",
  });
  if (being === "handle-taken") throw new Error(`the handle ${handle} is taken`);
  const space = await insertSpace(db, { name: handle, visibility: "public", ownerId: being.id });
  return { authorId: being.id, spaceId: space.id };
}
