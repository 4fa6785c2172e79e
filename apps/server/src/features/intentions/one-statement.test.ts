import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Intention, Space } from "@rhizome/protocol";
import { sql } from "drizzle-orm";
import { rowsOf } from "../../db/sql.ts";
import { describeEachDriver } from "../../testing/databases.ts";
import { expectRateLimited } from "../../testing/refusals.ts";
import { snapshotTables, TestApp } from "../../testing/test-app.ts";

/**
 * A post checks its session, membership and write limit inside its one statement
 * (data/post-intention.ts): each must still hold as of the very request, and a refusal
 * must leave no trace, not even a step of the space's clock.
 */
describeEachDriver("a post in one statement", (handle) => {
  const LIMIT = 4;
  let app: TestApp;

  beforeAll(async () => {
    app = await TestApp.create(handle.database, { rate: { writesPerMinute: LIMIT } });
  });
  afterAll(() => app.close());

  async function space(visibility: Space["visibility"] = "public"): Promise<string> {
    const { space } = await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token: (await app.signup(`one_maker_${crypto.randomUUID().slice(0, 8)}`)).token,
      body: { name: "One statement", visibility },
    });
    return space.id;
  }

  const post = (spaceId: string, token: string, body: unknown = { content: "hello" }) =>
    app.request("POST", `/api/spaces/${spaceId}/intentions`, { token, body });

  async function head(spaceId: string): Promise<string> {
    const [row] = await rowsOf<{ head: string }>(
      handle.database.db,
      sql`SELECT to_char(head AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS head
          FROM spaces WHERE id = ${spaceId}`,
    );
    return row?.head as string;
  }

  /** The newest change of the space, as the clock must stand after it. */
  async function lastChange(spaceId: string): Promise<string | undefined> {
    const [row] = await rowsOf<{ at: string }>(
      handle.database.db,
      sql`SELECT to_char(max(updated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
          FROM intentions WHERE space_id = ${spaceId}`,
    );
    return row?.at ?? undefined;
  }

  test("a signed-out session cannot post on its very next request, even with a bad body", async () => {
    const spaceId = await space();
    const someone = await app.signup("one_signed_out");
    const token = await app.newSession(someone.being.id);
    await app.expect(200, "POST", `/api/spaces/${spaceId}/join`, { token });
    expect((await post(spaceId, token)).status).toBe(201);
    await app.expect(204, "POST", "/api/auth/signout", { token });
    const before = await snapshotTables(handle.database);
    expect((await post(spaceId, token)).status).toBe(401);
    // Who is asking comes before what they sent, as for every other route.
    expect((await post(spaceId, token, { content: "" })).status).toBe(401);
    expect((await post(spaceId, someone.token, { content: "" })).status).toBe(400);
    expect(await snapshotTables(handle.database)).toEqual(before);
  });

  test("a removed member cannot post on the next request: 403 in a public space, 404 in a private one", async () => {
    for (const [visibility, status] of [
      ["public", 403],
      ["private", 404],
    ] as const) {
      const member = await app.signup(`one_member_${visibility}`);
      const keeper = await app.signup(`one_keeper_${visibility}`);
      const { space: made } = await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
        token: keeper.token,
        body: { name: "Members", visibility },
      });
      await app.expect(201, "POST", `/api/spaces/${made.id}/members`, {
        token: keeper.token,
        body: { beingId: member.being.id },
      });
      expect((await post(made.id, member.token)).status).toBe(201);
      await app.expect(204, "DELETE", `/api/spaces/${made.id}/members/${member.being.id}`, {
        token: member.token,
      });
      const clock = await head(made.id);
      expect((await post(made.id, member.token)).status).toBe(status);
      expect(await head(made.id)).toBe(clock);
    }
  });

  test("over the write limit: 429 with Retry-After, nothing stored, the clock unmoved", async () => {
    const spaceId = await space();
    const writer = await app.signup("one_limited");
    await app.expect(200, "POST", `/api/spaces/${spaceId}/join`, { token: writer.token });
    for (let n = 0; n < LIMIT; n++) expect((await post(spaceId, writer.token)).status).toBe(201);
    const clock = await head(spaceId);
    const before = await snapshotTables(handle.database);
    await expectRateLimited(await post(spaceId, writer.token));
    expect(await snapshotTables(handle.database)).toEqual(before);
    expect(await head(spaceId)).toBe(clock);
  });

  test("a replay and a conflict count as writes, as every attempt of a member does", async () => {
    const spaceId = await space();
    const writer = await app.signup("one_replayer");
    await app.expect(200, "POST", `/api/spaces/${spaceId}/join`, { token: writer.token });
    const id = crypto.randomUUID();
    expect((await post(spaceId, writer.token, { id, content: "once" })).status).toBe(201);
    expect((await post(spaceId, writer.token, { id, content: "once" })).status).toBe(200);
    expect((await post(spaceId, writer.token, { id, content: "other" })).status).toBe(409);
    expect((await post(spaceId, writer.token)).status).toBe(201);
    // The budget (4) is spent: a new post is refused, and the replay still learns it landed.
    await expectRateLimited(await post(spaceId, writer.token));
    const replay = await post(spaceId, writer.token, { id, content: "once" });
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as { intention: Intention }).intention.id).toBe(id);
  });

  test("concurrent posts at the limit: exactly the limit land, and no clock steps past them", async () => {
    const spaces = [await space(), await space(), await space()];
    const writer = await app.signup("one_racer");
    for (const spaceId of spaces) {
      await app.expect(200, "POST", `/api/spaces/${spaceId}/join`, { token: writer.token });
    }
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, n) => post(spaces[n % spaces.length] as string, writer.token)),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(24 - LIMIT);
    for (const spaceId of spaces) {
      const last = await lastChange(spaceId);
      // A space with no post yet keeps its first head; one with posts stands at the newest.
      if (last) expect(await head(spaceId)).toBe(last);
    }
  });
});
