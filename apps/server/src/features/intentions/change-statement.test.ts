import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Being, Intention, Space } from "@rhizome/protocol";
import { sql } from "drizzle-orm";
import { rowsOf } from "../../db/sql.ts";
import { describeEachDriver } from "../../testing/databases.ts";
import { expectRateLimited } from "../../testing/refusals.ts";
import { snapshotTables, TestApp } from "../../testing/test-app.ts";

/**
 * An edit and a delete are one statement each (data/change-intention.ts): the session and
 * the access hold as of the very request, and a refusal or a race leaves no trace, not even
 * a step of the space's clock.
 */
describeEachDriver("an edit or a delete in one statement", (handle) => {
  const LIMIT = 4;
  let app: TestApp;
  let counter = 0;

  beforeAll(async () => {
    app = await TestApp.create(handle.database, { rate: { writesPerMinute: LIMIT } });
  });
  afterAll(() => app.close());

  /** A fresh author with a space of their own and one intention in it (2 of their writes). */
  async function authored(): Promise<{
    author: { being: Being; token: string };
    intention: Intention;
  }> {
    const author = await app.signup(`change_author_${++counter}`);
    const { space } = await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token: author.token,
      body: { name: "Changes" },
    });
    const { intention } = await app.expect<{ intention: Intention }>(
      201,
      "POST",
      `/api/spaces/${space.id}/intentions`,
      { token: author.token, body: { content: "first" } },
    );
    return { author, intention };
  }

  async function head(spaceId: string): Promise<string> {
    const [row] = await rowsOf<{ head: string }>(
      handle.database.db,
      sql`SELECT to_char(head AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS head
          FROM spaces WHERE id = ${spaceId}`,
    );
    return row?.head as string;
  }

  const edit = (id: string, token: string, content: unknown = "edited") =>
    app.request("PATCH", `/api/intentions/${id}`, { token, body: { content } });
  const remove = (id: string, token: string) =>
    app.request("DELETE", `/api/intentions/${id}`, { token });

  test("a signed-out session cannot edit or delete on its very next request", async () => {
    const { author, intention } = await authored();
    const token = await app.newSession(author.being.id);
    await app.expect(204, "POST", "/api/auth/signout", { token });
    const before = await snapshotTables(handle.database);
    expect((await edit(intention.id, token)).status).toBe(401);
    expect((await edit(intention.id, token, "")).status).toBe(401);
    expect((await remove(intention.id, token)).status).toBe(401);
    expect((await edit(intention.id, author.token, "")).status).toBe(400);
    expect(await snapshotTables(handle.database)).toEqual(before);
  });

  test("the same content again is a 200 that moves no clock; new content steps it once", async () => {
    const { author, intention } = await authored();
    const clock = await head(intention.spaceId);
    const same = await edit(intention.id, author.token, "first");
    expect(same.status).toBe(200);
    expect(((await same.json()) as { intention: Intention }).intention).toEqual(intention);
    expect(await head(intention.spaceId)).toBe(clock);
    const changed = await edit(intention.id, author.token, "second");
    const { intention: after } = (await changed.json()) as { intention: Intention };
    expect(after.content).toBe("second");
    expect(await head(intention.spaceId)).toBe(after.updatedAt);
    expect(after.updatedAt > clock).toBe(true);
  });

  test("over the write limit: 429 with Retry-After, nothing changed, the clock unmoved", async () => {
    const { author, intention } = await authored();
    expect((await edit(intention.id, author.token, "third write")).status).toBe(200);
    expect((await edit(intention.id, author.token, "fourth write")).status).toBe(200);
    const clock = await head(intention.spaceId);
    const before = await snapshotTables(handle.database);
    await expectRateLimited(await edit(intention.id, author.token, "fifth"));
    await expectRateLimited(await remove(intention.id, author.token));
    expect(await snapshotTables(handle.database)).toEqual(before);
    expect(await head(intention.spaceId)).toBe(clock);
  });

  test("racing deletes and edits of one intention: one tombstone, and the clock stands at it", async () => {
    const { author, intention } = await authored();
    const unlimited = await TestApp.create(handle.database);
    try {
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, n) =>
          n % 2 === 0
            ? unlimited.request("DELETE", `/api/intentions/${intention.id}`, {
                token: author.token,
              })
            : unlimited.request("PATCH", `/api/intentions/${intention.id}`, {
                token: author.token,
                body: { content: `edit ${n}` },
              }),
        ),
      );
      for (const [n, answer] of answers.entries()) {
        expect([n % 2 === 0 ? 204 : 200, 404]).toContain(answer.status);
      }
      const [row] = await rowsOf<{ updated: string; deleted: string | null }>(
        handle.database.db,
        sql`SELECT to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated,
                   deleted_at::text AS deleted
            FROM intentions WHERE id = ${intention.id}`,
      );
      expect(row?.deleted).not.toBeNull();
      expect(await head(intention.spaceId)).toBe(row?.updated as string);
    } finally {
      await unlimited.close();
    }
  });
});
