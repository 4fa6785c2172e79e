import { expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { rowsOf } from "../db/sql.ts";
import { describeEachDriver } from "../testing/databases.ts";
import { fillSpace, seedOwnedSpace } from "../testing/seed.ts";
import { HISTORY_PAGE_SQL, readHistoryPage } from "./intentions.ts";

/** The history page's one statement: its answers, and its plan as a prepared statement. */
describeEachDriver("a history page in one statement", (handle) => {
  const fill = (spaceId: string, authorId: string, count: number) =>
    fillSpace(handle.database.db, { spaceId, authorId, count, prefix: "page" });

  test("pages walk back oldest first; no session, no space and no page each say so", async () => {
    const { db } = handle.database;
    const { authorId, spaceId, sessionKey } = await seedOwnedSpace(db, "history_pages");
    await fill(spaceId, authorId, 5);
    const latest = await readHistoryPage(db, { sessionKey, spaceId, before: undefined, limit: 3 });
    if (latest.kind !== "found") throw new Error(latest.kind);
    expect(latest.intentions.map((i) => i.content)).toEqual(["page 3", "page 4", "page 5"]);
    expect(latest.hasMore).toBe(true);
    const before = latest.intentions[0]?.createdAt;
    const older = await readHistoryPage(db, { sessionKey, spaceId, before, limit: 3 });
    if (older.kind !== "found") throw new Error(older.kind);
    expect(older.intentions.map((i) => i.content)).toEqual(["page 1", "page 2"]);
    expect(older.hasMore).toBe(false);
    const input = { spaceId, before: undefined, limit: 3 };
    expect((await readHistoryPage(db, { ...input, sessionKey: "no such" })).kind).toBe(
      "no-session",
    );
    expect(
      (await readHistoryPage(db, { ...input, sessionKey, spaceId: crypto.randomUUID() })).kind,
    ).toBe("no-space");
  });

  test("as a prepared statement (its generic plan), the page is an index range scan", async () => {
    const { db } = handle.database;
    const { authorId, spaceId, sessionKey } = await seedOwnedSpace(db, "history_plan");
    await fill(spaceId, authorId, 5000);
    await db.execute(sql`ANALYZE intentions`);
    const plan = await db.transaction(async (tx) => {
      await tx.execute(sql.raw("SET LOCAL plan_cache_mode = force_generic_plan"));
      await tx.execute(sql.raw(`PREPARE history_plan_check AS ${HISTORY_PAGE_SQL}`));
      const rows = await rowsOf<Record<string, string>>(
        tx as never,
        // EXECUTE takes no bound parameters: the seeded key and id are inlined (no input).
        sql.raw(`EXPLAIN EXECUTE history_plan_check('${sessionKey}', '${spaceId}', NULL, 51)`),
      );
      await tx.execute(sql.raw("DEALLOCATE history_plan_check"));
      return rows.map((row) => Object.values(row)[0]).join("\n");
    });
    expect(plan).toMatch(/Index Scan Backward using intentions_space_(live_)?created_idx/);
    expect(plan).not.toMatch(/Seq Scan on intentions/);
  });
});
