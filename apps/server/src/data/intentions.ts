import type { Intention } from "@rhizome/protocol";
import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { intentions } from "../db/schema.ts";
import { asTimestamp } from "../db/sql.ts";
import { intentionColumns } from "./intention-columns.ts";

/** Live intentions created before `before` (default: the latest), newest first in SQL, returned oldest first. */
export async function readHistoryPage(
  db: Db,
  input: { spaceId: string; before: string | undefined; limit: number },
): Promise<{ intentions: Intention[]; hasMore: boolean }> {
  const rows = await db
    .select(intentionColumns)
    .from(intentions)
    .where(
      and(
        eq(intentions.spaceId, input.spaceId),
        isNull(intentions.deletedAt),
        input.before ? lt(intentions.createdAt, asTimestamp(input.before) as never) : undefined,
      ),
    )
    .orderBy(desc(intentions.createdAt))
    .limit(input.limit + 1);
  const hasMore = rows.length > input.limit;
  return { intentions: rows.slice(0, input.limit).reverse(), hasMore };
}
