import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Intention, Space } from "@rhizome/protocol";
import { sql } from "drizzle-orm";
import { rowsOf } from "../../db/sql.ts";
import { describeEachDriver } from "../../testing/databases.ts";
import { TestApp } from "../../testing/test-app.ts";

/** docs/PROTOCOL.md §7: a client-made id makes posting safe to retry, and never overwrites. */
describeEachDriver("posting with a client-made id", (handle) => {
  let app: TestApp;
  let author: { token: string };
  let stranger: { being: { id: string }; token: string };
  let spaceA: string;
  let spaceB: string;

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
    author = await app.signup("idem_author");
    stranger = await app.signup("idem_stranger");
    const create = async (name: string) => {
      const { space } = await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
        token: author.token,
        body: { name },
      });
      await app.expect(200, "POST", `/api/spaces/${space.id}/join`, { token: stranger.token });
      return space.id;
    };
    spaceA = await create("A");
    spaceB = await create("B");
  });
  afterAll(() => app.close());

  const post = (spaceId: string, body: { id?: string; content: string }, token = author.token) =>
    app.request("POST", `/api/spaces/${spaceId}/intentions`, { token, body });

  async function rowsWithId(id: string): Promise<{ space_id: string; content: string }[]> {
    return rowsOf(
      handle.database.db,
      sql`SELECT space_id, content FROM intentions WHERE id = ${id}`,
    );
  }

  test("a replay answers 200 with the same intention, and stores one row", async () => {
    const id = crypto.randomUUID();
    const first = await post(spaceA, { id, content: "once" });
    expect(first.status).toBe(201);
    const created = ((await first.json()) as { intention: Intention }).intention;
    expect(created.id).toBe(id);
    for (let replay = 0; replay < 3; replay++) {
      const again = await post(spaceA, { id, content: "once" });
      expect(again.status).toBe(200);
      expect(((await again.json()) as { intention: Intention }).intention).toEqual(created);
    }
    expect(await rowsWithId(id)).toHaveLength(1);
  });

  test("the id is case-insensitive, like any uuid", async () => {
    const id = crypto.randomUUID();
    await app.expect(201, "POST", `/api/spaces/${spaceA}/intentions`, {
      token: author.token,
      body: { id: id.toUpperCase(), content: "shouting" },
    });
    const { intention } = await app.expect<{ intention: Intention }>(
      200,
      "POST",
      `/api/spaces/${spaceA}/intentions`,
      { token: author.token, body: { id, content: "shouting" } },
    );
    expect(intention.id).toBe(id);
    expect(await rowsWithId(id)).toHaveLength(1);
  });

  test("the same id with other content, in another space, or by another being is a 409", async () => {
    const id = crypto.randomUUID();
    expect((await post(spaceA, { id, content: "original" })).status).toBe(201);
    const attempts = [
      await post(spaceA, { id, content: "different" }),
      await post(spaceB, { id, content: "original" }),
      await post(spaceA, { id, content: "original" }, stranger.token),
    ];
    for (const attempt of attempts) {
      expect(attempt.status).toBe(409);
      expect(((await attempt.json()) as { error: { code: string } }).error.code).toBe("conflict");
    }
    expect(await rowsWithId(id)).toEqual([{ space_id: spaceA, content: "original" }]);
  });

  test("a replay of a deleted intention does not bring it back", async () => {
    const id = crypto.randomUUID();
    expect((await post(spaceA, { id, content: "ephemeral" })).status).toBe(201);
    await app.expect(204, "DELETE", `/api/intentions/${id}`, { token: author.token });
    expect((await post(spaceA, { id, content: "ephemeral" })).status).toBe(409);
    expect(await rowsWithId(id)).toEqual([{ space_id: spaceA, content: "" }]);
  });

  test("concurrent posts of one id make exactly one row; every answer is that intention", async () => {
    const id = crypto.randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 24 }, () => post(spaceA, { id, content: "racing" })),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(23);
    const bodies = await Promise.all(
      responses.map(async (response) => (await response.json()) as { intention: Intention }),
    );
    for (const body of bodies) expect(body.intention).toEqual(bodies[0]?.intention as Intention);
    expect(await rowsWithId(id)).toHaveLength(1);
  });

  test("concurrent posts of one id into two spaces: one row, the other space gets 409", async () => {
    const id = crypto.randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 16 }, (_, index) =>
        post(index % 2 === 0 ? spaceA : spaceB, { id, content: "split" }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.every((status) => [200, 201, 409].includes(status))).toBe(true);
    const rows = await rowsWithId(id);
    expect(rows).toHaveLength(1);
    // Posts into the winning space replay (200); posts into the other conflict (409).
    const winner = rows[0]?.space_id;
    responses.forEach((response, index) => {
      const space = index % 2 === 0 ? spaceA : spaceB;
      expect(response.status === 409).toBe(space !== winner);
    });
  });

  test("a replay still lands as one after its author left the space; nothing else does", async () => {
    const leaver = await app.signup("idem_leaver");
    await app.expect(200, "POST", `/api/spaces/${spaceA}/join`, { token: leaver.token });
    const id = crypto.randomUUID();
    const first = await post(spaceA, { id, content: "sent before leaving" }, leaver.token);
    expect(first.status).toBe(201);
    const stored = ((await first.json()) as { intention: Intention }).intention;
    await app.expect(204, "DELETE", `/api/spaces/${spaceA}/members/${leaver.being.id}`, {
      token: leaver.token,
    });

    const replay = await post(spaceA, { id, content: "sent before leaving" }, leaver.token);
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as { intention: Intention }).intention).toEqual(stored);
    // Not a member: a new post, or the id with other content, is refused as any post would be.
    const refusals = [
      await post(spaceA, { id: crypto.randomUUID(), content: "after leaving" }, leaver.token),
      await post(spaceA, { id, content: "other content" }, leaver.token),
    ];
    for (const refusal of refusals) {
      expect(refusal.status).toBe(403);
      expect(((await refusal.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    }
    expect(await rowsWithId(id)).toEqual([{ space_id: spaceA, content: "sent before leaving" }]);
  });

  test("a replay is answered even when the author is rate limited", async () => {
    const limited = await TestApp.create(handle.database, { rate: { writesPerMinute: 1 } });
    try {
      const writer = await limited.signup("idem_limited");
      await limited.expect(200, "POST", `/api/spaces/${spaceA}/join`, { token: writer.token });
      const id = crypto.randomUUID();
      const send = (content: string, postId = id) =>
        limited.request("POST", `/api/spaces/${spaceA}/intentions`, {
          token: writer.token,
          body: { id: postId, content },
        });
      expect((await send("only one a minute")).status).toBe(201);
      expect((await send("only one a minute")).status).toBe(200);
      expect((await send("a second one", crypto.randomUUID())).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
