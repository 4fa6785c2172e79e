import { afterAll, beforeAll, expect, test } from "bun:test";
import { type SQL, sql } from "drizzle-orm";
import { describeEachDriver } from "../testing/databases.ts";
import { holdLocks } from "../testing/hold-locks.ts";
import { TestApp } from "../testing/test-app.ts";

describeEachDriver("AccessGuard: open streams re-checked against the database", (handle) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
  });
  afterAll(() => app.close());

  /** Runs a statement with triggers off, so that no notification is sent: a lost one. */
  const withoutTriggers = (statement: SQL) =>
    handle.database.db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL session_replication_role = replica`);
      await tx.execute(statement);
    });

  let n = 0;
  const signup = () => app.signup(`guard_${Date.now().toString(36)}_${n++}`);
  const createSpace = async (token: string, visibility: "public" | "private") =>
    (
      await app.expect<{ space: { id: string } }>(201, "POST", "/api/spaces", {
        token,
        body: { name: "guarded", visibility },
      })
    ).space;

  async function openStream(token: string, spaceId: string) {
    const response = await app.request("GET", `/api/stream?spaceId=${spaceId}`, { token });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    return {
      ended: (async () => {
        while (!(await reader.read()).done) {}
        return true;
      })(),
    };
  }

  test("a session deleted without any notification: its stream ends at revalidation", async () => {
    const owner = await signup();
    const space = await createSpace(owner.token, "public");
    const stream = await openStream(owner.token, space.id);
    // Gone behind the server's back, its notification lost (triggers off, as in a replica).
    await withoutTriggers(sql`DELETE FROM sessions WHERE being_id = ${owner.being.id}`);
    await app.ctx.guard.revalidate();
    expect(await stream.ended).toBe(true);
    expect((await app.request("GET", "/api/me", { token: owner.token })).status).toBe(401);
  });

  test("a membership removed without any notification: its private stream ends", async () => {
    const owner = await signup();
    const member = await signup();
    const space = await createSpace(owner.token, "private");
    await app.expect(201, "POST", `/api/spaces/${space.id}/members`, {
      token: owner.token,
      body: { beingId: member.being.id },
    });
    const stream = await openStream(member.token, space.id);
    await withoutTriggers(
      sql`DELETE FROM space_members WHERE space_id = ${space.id} AND being_id = ${member.being.id}`,
    );
    await app.ctx.guard.revalidate();
    expect(await stream.ended).toBe(true);
    expect(
      (await app.request("GET", `/api/stream?spaceId=${space.id}`, { token: member.token })).status,
    ).toBe(404);
  });

  test("a revocation heard while a stream is being opened is re-checked after it attaches", async () => {
    const owner = await signup();
    const space = await createSpace(owner.token, "public");
    // A stream's session check is the cached one: opening one caches the session.
    const warm = await app.request("GET", `/api/stream?spaceId=${space.id}`, {
      token: owner.token,
    });
    expect(warm.status).toBe(200);
    await warm.body?.cancel();
    const sessionKey = new Bun.CryptoHasher("sha256").update(owner.token).digest("hex");
    await withoutTriggers(sql`DELETE FROM sessions WHERE token_hash = ${sessionKey}`);
    // Park the open inside its read check: the membership table is locked until we say so.
    const locks = await holdLocks((held) =>
      handle.database.db.transaction(async (tx) => {
        await tx.execute(sql`LOCK TABLE space_members IN ACCESS EXCLUSIVE MODE`);
        await held();
      }),
    );
    const guard = app.ctx.guard;
    const canRead = guard.canRead.bind(guard);
    let entered!: () => void;
    const inReadCheck = new Promise<void>((resolve) => {
      entered = resolve;
    });
    // The read is cached from the warm stream: ask for the check anyway, to park inside it.
    const uncheckedReads = guard.uncheckedReads.bind(guard);
    guard.uncheckedReads = (spaceIds) => [...spaceIds];
    guard.canRead = (...args) => {
      entered();
      return canRead(...args);
    };
    const opening = app.request("GET", `/api/stream?spaceId=${space.id}`, { token: owner.token });
    await inReadCheck; // authenticated (from the cache), now parked in its read check
    guard.canRead = canRead;
    guard.uncheckedReads = uncheckedReads;
    // The notification of the revocation arrives now: there is no stream to close yet.
    guard.evict({ kind: "session-revoked", sessionKey });
    await locks.release();
    const response = await opening;
    expect(response.status).toBe(401);
  });
});
