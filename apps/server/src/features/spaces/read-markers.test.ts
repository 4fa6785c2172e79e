import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Intention, Space } from "@rhizome/protocol";
import { sql } from "drizzle-orm";
import { spaceListStatement, UNREAD_CAP } from "../../data/space-list.ts";
import { rowsOf } from "../../db/sql.ts";
import { describeEachDriver } from "../../testing/databases.ts";
import { fillSpace } from "../../testing/seed.ts";
import { asErrorBody, TestApp } from "../../testing/test-app.ts";

type Listed = Space & {
  role: string | null;
  readAt?: string | null;
  unread?: number;
  lastIntention?: Intention | null;
};

/** Read markers and unread counts (DESIGN §7: PUT /api/spaces/:id/read, GET /api/spaces). */
describeEachDriver("read markers", (handle) => {
  let app: TestApp;
  let alice: { token: string; being: { id: string } };
  let bob: { token: string; being: { id: string } };
  let n = 0;

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
    alice = await app.signup("marker_alice");
    bob = await app.signup("marker_bob");
  });
  afterAll(() => app.close());
  const fill = (spaceId: string, authorId: string, count: number) =>
    fillSpace(handle.database.db, { spaceId, authorId, count, prefix: "filler" });

  async function sharedSpace(visibility: Space["visibility"] = "public"): Promise<string> {
    const { space } = await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token: alice.token,
      body: { name: `Markers ${n++}`, visibility },
    });
    await app.expect(201, "POST", `/api/spaces/${space.id}/members`, {
      token: alice.token,
      body: { beingId: bob.being.id },
    });
    return space.id;
  }
  const post = async (token: string, spaceId: string, content: string) =>
    (
      await app.expect<{ intention: Intention }>(201, "POST", `/api/spaces/${spaceId}/intentions`, {
        token,
        body: { content },
      })
    ).intention;
  const entry = async (token: string, spaceId: string) => {
    const { spaces } = await app.expect<{ spaces: Listed[] }>(200, "GET", "/api/spaces", { token });
    return spaces.find((space) => space.id === spaceId) as Listed;
  };
  const mark = (token: string, spaceId: string, cursor: string) =>
    app.request("PUT", `/api/spaces/${spaceId}/read`, { token, body: { cursor } });

  test("a member's entry has readAt, unread and lastIntention; others' public entries do not", async () => {
    const spaceId = await sharedSpace();
    expect(await entry(alice.token, spaceId)).toMatchObject({
      readAt: null,
      unread: 0,
      lastIntention: null,
    });
    const outsider = await app.signup(`marker_outsider_${n++}`);
    const seen = await entry(outsider.token, spaceId);
    expect(seen.role).toBeNull();
    expect(seen).not.toHaveProperty("unread");
    expect(seen).not.toHaveProperty("readAt");
    expect(seen).not.toHaveProperty("lastIntention");
  });

  test("the marker moves forward only, and a cursor past the head counts as the head", async () => {
    const spaceId = await sharedSpace();
    const first = await post(bob.token, spaceId, "one");
    const second = await post(bob.token, spaceId, "two");
    expect((await mark(alice.token, spaceId, second.updatedAt)).status).toBe(204);
    expect((await entry(alice.token, spaceId)).readAt).toBe(second.updatedAt);
    expect((await mark(alice.token, spaceId, first.updatedAt)).status).toBe(204);
    expect((await entry(alice.token, spaceId)).readAt).toBe(second.updatedAt);
    await post(bob.token, spaceId, "three");
    expect((await mark(alice.token, spaceId, "2999-12-31T23:59:59.999999Z")).status).toBe(204);
    const after = await entry(alice.token, spaceId);
    expect(after.readAt).toBe(after.head);
    expect(after.unread).toBe(0);
  });

  test("unread counts only others' live intentions created after the marker", async () => {
    const spaceId = await sharedSpace();
    await post(bob.token, spaceId, "b1");
    const b2 = await post(bob.token, spaceId, "b2");
    await post(alice.token, spaceId, "a1 (her own: never unread)");
    const b3 = await post(bob.token, spaceId, "b3");
    expect((await entry(alice.token, spaceId)).unread).toBe(3);
    expect((await entry(bob.token, spaceId)).unread).toBe(1);
    await mark(alice.token, spaceId, b2.updatedAt);
    expect((await entry(alice.token, spaceId)).unread).toBe(1);
    // An edit changes no count; a delete takes an unread one away.
    await app.expect(200, "PATCH", `/api/intentions/${b3.id}`, {
      token: bob.token,
      body: { content: "b3, edited" },
    });
    const edited = await entry(alice.token, spaceId);
    expect(edited.unread).toBe(1);
    expect(edited.lastIntention).toMatchObject({ id: b3.id, content: "b3, edited" });
    await app.expect(204, "DELETE", `/api/intentions/${b3.id}`, { token: bob.token });
    const deleted = await entry(alice.token, spaceId);
    expect(deleted.unread).toBe(0);
    // The latest live intention is now her own.
    expect(deleted.lastIntention?.content).toBe("a1 (her own: never unread)");
  });

  test(`unread is counted up to ${UNREAD_CAP}: that number reads as "or more"`, async () => {
    const spaceId = await sharedSpace();
    await fill(spaceId, bob.being.id, UNREAD_CAP + 20);
    const listed = await entry(alice.token, spaceId);
    expect(listed.unread).toBe(UNREAD_CAP);
    expect(listed.lastIntention?.content).toBe(`filler ${UNREAD_CAP + 20}`);
  });

  test("members only: 404 for a private space to an outsider, 403 for a public non-member", async () => {
    const outsider = await app.signup(`marker_stranger_${n++}`);
    const cursor = "2025-01-01T00:00:00.000000Z";
    const hidden = await sharedSpace("private");
    const open = await sharedSpace("public");
    const privateAnswer = await mark(outsider.token, hidden, cursor);
    expect(privateAnswer.status).toBe(404);
    expect(asErrorBody(await privateAnswer.text()).error.code).toBe("not_found");
    const publicAnswer = await mark(outsider.token, open, cursor);
    expect(publicAnswer.status).toBe(403);
    expect(asErrorBody(await publicAnswer.text()).error.code).toBe("forbidden");
    expect(
      (await app.request("PUT", `/api/spaces/${open}/read`, { body: { cursor } })).status,
    ).toBe(401);
  });

  test("a signed-out session is 401, with a good body or a bad one, and moves nothing", async () => {
    const reader = await app.signup(`marker_gone_${n++}`);
    const { space } = await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token: reader.token,
      body: { name: `Markers ${n++}` },
    });
    await app.expect(204, "POST", "/api/auth/signout", { token: reader.token });
    for (const cursor of ["2099-01-01T00:00:00.000000Z", "yesterday"]) {
      const answer = await mark(reader.token, space.id, cursor);
      expect(answer.status).toBe(401);
      expect(asErrorBody(await answer.text()).error.code).toBe("unauthorized");
    }
    const [row] = await rowsOf<{ readAt: string | null }>(
      handle.database.db,
      sql`SELECT read_at AS "readAt" FROM space_members WHERE space_id = ${space.id}`,
    );
    expect(row?.readAt).toBeNull();
  });

  test("bad bodies are 400s that change nothing", async () => {
    const spaceId = await sharedSpace();
    for (const body of [
      {},
      { cursor: "yesterday" },
      { cursor: "2025-02-30T00:00:00.000000Z" },
      { cursor: 12 },
      { cursor: "2025-01-01T00:00:00Z" },
    ]) {
      const answer = await app.request("PUT", `/api/spaces/${spaceId}/read`, {
        token: alice.token,
        body,
      });
      expect(answer.status).toBe(400);
      expect(asErrorBody(await answer.text()).error.code).toBe("invalid");
    }
    expect((await entry(alice.token, spaceId)).readAt).toBeNull();
  });

  test("the list is one statement whose counts are index range scans, whatever a space's size", async () => {
    const spaceId = await sharedSpace();
    await fill(spaceId, bob.being.id, 5000);
    await handle.database.db.execute(sql`ANALYZE intentions`);
    const plan = (
      await rowsOf<Record<string, string>>(
        handle.database.db,
        sql`EXPLAIN ${spaceListStatement(alice.being.id, 500)}`,
      )
    )
      .map((row) => Object.values(row)[0])
      .join("\n");
    expect(plan).toContain("intentions_space_live_created_idx");
    expect(plan).not.toMatch(/Seq Scan on intentions/);
  });
});
