import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Being, Space } from "@rhizome/protocol";
import { describeEachDriver } from "../testing/databases.ts";
import { expectRateLimited } from "../testing/refusals.ts";
import { snapshotTables, TestApp } from "../testing/test-app.ts";

type Account = { being: Being; token: string };

/** Spaces, members and profiles are writes too (finding C): over the limit, nothing changes. */
describeEachDriver("the write limits cover spaces, members and profiles", (handle) => {
  let writes: TestApp;
  let spacesOnly: TestApp;
  let victim: Account;

  beforeAll(async () => {
    writes = await TestApp.create(handle.database, { rate: { writesPerMinute: 3 } });
    spacesOnly = await TestApp.create(handle.database, { rate: { spacesPerMinute: 3 } });
    victim = await writes.signup("limit_victim");
  });
  afterAll(() => Promise.all([writes.close(), spacesOnly.close()]));

  /** Creating a space and adding a member, each refused with a 429 that changed no row. */
  async function expectRefused(app: TestApp, actor: Account, spaceId: string): Promise<void> {
    const before = await snapshotTables(handle.database);
    await expectRateLimited(
      await app.request("POST", "/api/spaces", { token: actor.token, body: { name: "More" } }),
    );
    await expectRateLimited(
      await app.request("POST", `/api/spaces/${spaceId}/members`, {
        token: actor.token,
        body: { beingId: victim.being.id },
      }),
    );
    expect(await snapshotTables(handle.database)).toEqual(before);
  }

  test("RATE_WRITES_PER_MINUTE counts creating a space, adding a member and PATCH /api/me", async () => {
    const actor = await writes.signup("limit_writer");
    const { space } = await writes.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token: actor.token,
      body: { name: "One" },
    });
    await writes.expect(201, "POST", `/api/spaces/${space.id}/members`, {
      token: actor.token,
      body: { beingId: victim.being.id },
    });
    await writes.expect(200, "PATCH", "/api/me", { token: actor.token, body: { name: "Renamed" } });
    await expectRefused(writes, actor, space.id);
    const before = await snapshotTables(handle.database);
    await expectRateLimited(
      await writes.request("PATCH", "/api/me", { token: actor.token, body: { name: "Again" } }),
    );
    expect(await snapshotTables(handle.database)).toEqual(before);
  });

  test("RATE_WRITES_PER_MINUTE counts read markers: over it, a 429 that moves no marker", async () => {
    const actor = await writes.signup("limit_reader");
    const { space } = await writes.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token: actor.token,
      body: { name: "Read" },
    });
    const mark = (cursor: string) =>
      writes.request("PUT", `/api/spaces/${space.id}/read`, {
        token: actor.token,
        body: { cursor },
      });
    expect((await mark("2025-01-01T00:00:00.000001Z")).status).toBe(204);
    expect((await mark("2025-01-01T00:00:00.000002Z")).status).toBe(204);
    const before = await snapshotTables(handle.database);
    await expectRateLimited(await mark("2099-01-01T00:00:00.000000Z"));
    expect(await snapshotTables(handle.database)).toEqual(before);
  });

  test("RATE_SPACES_PER_MINUTE: spaces created plus members added, far below the write limit", async () => {
    const actor = await spacesOnly.signup("limit_spammer");
    const created: string[] = [];
    for (const name of ["A", "B"]) {
      const { space } = await spacesOnly.expect<{ space: Space }>(201, "POST", "/api/spaces", {
        token: actor.token,
        body: { name },
      });
      created.push(space.id);
    }
    await spacesOnly.expect(201, "POST", `/api/spaces/${created[0]}/members`, {
      token: actor.token,
      body: { beingId: victim.being.id },
    });
    await expectRefused(spacesOnly, actor, created[1] as string);
    // Profile changes are not space writes: still allowed.
    await spacesOnly.expect(200, "PATCH", "/api/me", { token: actor.token, body: { name: "Ok" } });
  });
});
