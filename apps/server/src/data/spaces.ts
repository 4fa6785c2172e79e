import type { Being, Space, Visibility } from "@rhizome/protocol";
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { beings, spaceMembers, spaces } from "../db/schema.ts";
import { cursorOf, isUniqueViolation } from "../db/sql.ts";
import { beingColumns } from "./beings.ts";

export type Role = "owner" | "member";

/**
 * What a one-statement read or write found of its caller and the space: no live session, no
 * such space, or the caller's access to it with the statement's own result (`Found`).
 */
export type CheckedAccess<Found extends object> =
  | { kind: "no-session" }
  | { kind: "no-space" }
  | ({ kind: "found"; visibility: Visibility; role: Role | null } & Found);

/** The columns a statement with `accessCte` (write-sql.ts) answers with: null when absent. */
export type AccessRow = {
  beingId: string | null;
  visibility: Visibility | null;
  role: Role | null;
};

/** A statement's access columns, and what it found besides, as its outcome. */
export function checkedAccess<Found extends object>(
  row: AccessRow | undefined,
  found: Found,
): CheckedAccess<Found> {
  if (!row?.beingId) return { kind: "no-session" };
  if (!row.visibility) return { kind: "no-space" };
  return { kind: "found", visibility: row.visibility, role: row.role, ...found };
}

const spaceColumns = {
  id: spaces.id,
  name: spaces.name,
  visibility: spaces.visibility,
  ownerId: spaces.ownerId,
  createdAt: cursorOf(spaces.createdAt),
  head: cursorOf(spaces.head),
};

/** Creates the space and makes its creator the owner, in one transaction. */
export async function insertSpace(
  db: Db,
  input: { name: string; visibility: Visibility; ownerId: string },
): Promise<Space> {
  return db.transaction(async (tx) => {
    const [space] = await tx.insert(spaces).values(input).returning(spaceColumns);
    const created = space as Space;
    await tx
      .insert(spaceMembers)
      .values({ spaceId: created.id, beingId: input.ownerId, role: "owner" });
    return created;
  });
}

/** A space with the caller's role in it (null when not a member), in one query. */
export async function findSpaceFor(
  db: Db,
  id: string,
  beingId: string,
): Promise<{ space: Space; role: Role | null } | undefined> {
  const [row] = await db
    .select({ ...spaceColumns, role: spaceMembers.role })
    .from(spaces)
    .leftJoin(
      spaceMembers,
      and(eq(spaceMembers.spaceId, spaces.id), eq(spaceMembers.beingId, beingId)),
    )
    .where(eq(spaces.id, id));
  if (!row) return undefined;
  const { role, ...space } = row;
  return { space, role };
}

/** Adds a member; false when already one. */
export async function insertMember(db: Db, spaceId: string, beingId: string): Promise<boolean> {
  try {
    const inserted = await db
      .insert(spaceMembers)
      .values({ spaceId, beingId, role: "member" })
      .onConflictDoNothing()
      .returning({ beingId: spaceMembers.beingId });
    return inserted.length > 0;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

export async function deleteMember(db: Db, spaceId: string, beingId: string): Promise<boolean> {
  const deleted = await db
    .delete(spaceMembers)
    .where(and(eq(spaceMembers.spaceId, spaceId), eq(spaceMembers.beingId, beingId)))
    .returning({ beingId: spaceMembers.beingId });
  return deleted.length > 0;
}

export async function listMembers(db: Db, spaceId: string): Promise<Being[]> {
  return db
    .select(beingColumns)
    .from(spaceMembers)
    .innerJoin(beings, eq(beings.id, spaceMembers.beingId))
    .where(eq(spaceMembers.spaceId, spaceId))
    .orderBy(asc(spaceMembers.joinedAt))
    .limit(1000);
}

/** Heads of many spaces in one query: the safety poll. */
export async function readHeads(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: spaces.id, head: cursorOf(spaces.head) })
    .from(spaces)
    .where(inArray(spaces.id, ids));
  return new Map(rows.map((row) => [row.id, row.head]));
}

/**
 * What the read rule needs about these (space, being) pairs, in one query: each space's
 * visibility, with one row per member among the beings (being and role null when none is).
 * A space that is gone has no row.
 */
export async function membershipFacts(
  db: Db,
  pairs: { spaceId: string; beingId: string }[],
): Promise<
  { spaceId: string; visibility: Visibility; beingId: string | null; role: Role | null }[]
> {
  if (pairs.length === 0) return [];
  const spaceIds = [...new Set(pairs.map((pair) => pair.spaceId))];
  const beingIds = [...new Set(pairs.map((pair) => pair.beingId))];
  return db
    .select({
      spaceId: spaces.id,
      visibility: spaces.visibility,
      beingId: spaceMembers.beingId,
      role: spaceMembers.role,
    })
    .from(spaces)
    .leftJoin(
      spaceMembers,
      and(eq(spaceMembers.spaceId, spaces.id), inArray(spaceMembers.beingId, beingIds)),
    )
    .where(inArray(spaces.id, spaceIds));
}
