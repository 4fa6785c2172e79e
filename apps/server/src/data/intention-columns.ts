import { intentions } from "../db/schema.ts";
import { cursorOf } from "../db/sql.ts";

/**
 * An intention's columns with its cursors formatted by Postgres: the one list that drizzle
 * selects take as it is and raw statements take through `selectList`, so every read returns
 * the same `Intention`.
 */
export const intentionColumns = {
  id: intentions.id,
  spaceId: intentions.spaceId,
  authorId: intentions.authorId,
  content: intentions.content,
  createdAt: cursorOf(intentions.createdAt),
  updatedAt: cursorOf(intentions.updatedAt),
};
