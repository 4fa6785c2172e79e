import type { Being } from "@rhizome/protocol";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { beings } from "../db/schema.ts";
import { cursorOf, isUniqueViolation } from "../db/sql.ts";

export const beingColumns = {
  id: beings.id,
  handle: beings.handle,
  name: beings.name,
  color: beings.color,
  createdAt: cursorOf(beings.createdAt),
  updatedAt: cursorOf(beings.updatedAt),
};

export type NewBeing = { handle: string; name: string; color: string; passwordHash: string };

export async function insertBeing(db: Db, input: NewBeing): Promise<Being | "handle-taken"> {
  try {
    const [row] = await db.insert(beings).values(input).returning(beingColumns);
    return row as Being;
  } catch (error) {
    if (isUniqueViolation(error)) return "handle-taken";
    throw error;
  }
}

export async function findBeing(db: Db, id: string): Promise<Being | undefined> {
  const [row] = await db.select(beingColumns).from(beings).where(eq(beings.id, id));
  return row;
}

export async function findBeingByHandle(db: Db, handle: string): Promise<Being | undefined> {
  const [row] = await db.select(beingColumns).from(beings).where(eq(beings.handle, handle));
  return row;
}

export async function findCredentials(
  db: Db,
  handle: string,
): Promise<{ being: Being; passwordHash: string } | undefined> {
  const [row] = await db
    .select({ ...beingColumns, passwordHash: beings.passwordHash })
    .from(beings)
    .where(eq(beings.handle, handle));
  if (!row) return undefined;
  const { passwordHash, ...being } = row;
  return { being, passwordHash };
}

export async function updateBeing(
  db: Db,
  id: string,
  changes: { name?: string; color?: string },
): Promise<Being | undefined> {
  const [row] = await db
    .update(beings)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(eq(beings.id, id))
    .returning(beingColumns);
  return row;
}
