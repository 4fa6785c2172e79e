import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Being, Space } from "@rhizome/protocol";
import { listVisibleSpaces } from "../../data/space-list.ts";
import { describeEachDriver } from "../../testing/databases.ts";
import { TestApp } from "../../testing/test-app.ts";

/** Private spaces do not exist for outsiders: not in lists, and not in any answer. */
describeEachDriver("space visibility", (handle) => {
  let app: TestApp;
  let owner: { being: Being; token: string };
  let member: { being: Being; token: string };
  let outsider: { being: Being; token: string };
  let open: Space;
  let hidden: Space;

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
    owner = await app.signup("vis_owner");
    member = await app.signup("vis_member");
    outsider = await app.signup("vis_outsider");
    const create = async (name: string, visibility: Space["visibility"]) =>
      (
        await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
          token: owner.token,
          body: { name, visibility },
        })
      ).space;
    open = await create("Open", "public");
    hidden = await create("Hidden", "private");
    await app.expect(201, "POST", `/api/spaces/${hidden.id}/members`, {
      token: owner.token,
      body: { beingId: member.being.id },
    });
  });
  afterAll(() => app.close());

  const listed = async (token: string) =>
    (await app.expect<{ spaces: Space[] }>(200, "GET", "/api/spaces", { token })).spaces.map(
      (space) => space.name,
    );

  test("the list shows public spaces to all, private ones to their members only", async () => {
    expect(await listed(outsider.token)).toEqual(["Open"]);
    expect((await listed(member.token)).sort()).toEqual(["Hidden", "Open"]);
    expect((await listed(owner.token)).sort()).toEqual(["Hidden", "Open"]);
  });

  test("every answer about a private space is the same as about a space that does not exist", async () => {
    const unknown = crypto.randomUUID();
    const requests: [string, string, object?][] = [
      ["GET", "/api/spaces/:id"],
      ["POST", "/api/spaces/:id/join"],
      ["POST", "/api/spaces/:id/members", { beingId: outsider.being.id }],
      ["DELETE", `/api/spaces/:id/members/${member.being.id}`],
      ["GET", "/api/spaces/:id/beings"],
      ["GET", "/api/spaces/:id/intentions"],
      ["POST", "/api/spaces/:id/intentions", { content: "knock knock" }],
      ["GET", "/api/stream?spaceId=:id"],
    ];
    for (const [method, path, body] of requests) {
      const answer = async (id: string) => {
        const response = await app.request(method, path.replace(":id", id), {
          token: outsider.token,
          ...(body ? { body } : {}),
        });
        return `${response.status} ${[...response.headers].join(";")} ${await response.text()}`;
      };
      expect(await answer(hidden.id)).toBe(await answer(unknown));
    }
  });

  test("an intention of a private space is as unknown to outsiders as one that does not exist", async () => {
    const { intention } = await app.expect<{ intention: { id: string } }>(
      201,
      "POST",
      `/api/spaces/${hidden.id}/intentions`,
      { token: owner.token, body: { content: "members only" } },
    );
    for (const [method, body] of [["PATCH", { content: "mine now" }], ["DELETE"]] as const) {
      const answer = async (id: string) => {
        const response = await app.request(method, `/api/intentions/${id}`, {
          token: outsider.token,
          ...(body ? { body } : {}),
        });
        return `${response.status} ${await response.text()}`;
      };
      expect(await answer(intention.id)).toBe(await answer(crypto.randomUUID()));
    }
  });

  test("joining opens a public space to posting; a private one only to the invited", async () => {
    const post = (token: string, spaceId: string) =>
      app.request("POST", `/api/spaces/${spaceId}/intentions`, {
        token,
        body: { content: "hello" },
      });
    expect((await post(outsider.token, open.id)).status).toBe(403);
    await app.expect(200, "POST", `/api/spaces/${open.id}/join`, { token: outsider.token });
    expect((await post(outsider.token, open.id)).status).toBe(201);

    await app.expect(404, "POST", `/api/spaces/${hidden.id}/join`, { token: outsider.token });
    const { space } = await app.expect<{ space: Space }>(
      200,
      "POST",
      `/api/spaces/${hidden.id}/join`,
      { token: member.token },
    );
    expect(space.id).toBe(hidden.id);
  });

  test("a space's beings are its members, with their public profile", async () => {
    const { beings } = await app.expect<{ beings: Being[] }>(
      200,
      "GET",
      `/api/spaces/${hidden.id}/beings`,
      { token: member.token },
    );
    expect(beings.map((being) => being.handle).sort()).toEqual(["vis_member", "vis_owner"]);
    for (const being of beings) expect(being).not.toHaveProperty("passwordHash");
  });

  test("adding a member again answers 201 as the first time, and changes nothing", async () => {
    const again = await app.expect<{ role: string }>(
      201,
      "POST",
      `/api/spaces/${hidden.id}/members`,
      { token: owner.token, body: { beingId: member.being.id } },
    );
    expect(again.role).toBe("member");
    const { beings } = await app.expect<{ beings: Being[] }>(
      200,
      "GET",
      `/api/spaces/${hidden.id}/beings`,
      { token: owner.token },
    );
    expect(beings.filter((being) => being.id === member.being.id)).toHaveLength(1);
  });

  test("the list's cap leaves out others' public spaces before any of one's own", async () => {
    await app.expect(201, "POST", "/api/spaces", {
      token: outsider.token,
      body: { name: "Newest public" },
    });
    const capped = await listVisibleSpaces(handle.database.db, member.being.id, 1);
    expect(capped.map((space) => space.name)).toEqual(["Hidden"]);
    const all = await listVisibleSpaces(handle.database.db, member.being.id);
    expect(all.map((space) => space.name)).toEqual(["Hidden", "Newest public", "Open"]);
  });

  test("spaces others put one in never push one's own past the cap; then latest activity first", async () => {
    const victim = await app.signup("vis_victim");
    const { space: own } = await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token: victim.token,
      body: { name: "Mine", visibility: "private" },
    });
    // Others make newer private spaces and add the victim to each.
    const imposed: string[] = [];
    for (const name of ["Imposed 1", "Imposed 2", "Imposed 3"]) {
      const { space } = await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
        token: outsider.token,
        body: { name, visibility: "private" },
      });
      await app.expect(201, "POST", `/api/spaces/${space.id}/members`, {
        token: outsider.token,
        body: { beingId: victim.being.id },
      });
      imposed.push(space.id);
    }
    const names = async (cap: number) =>
      (await listVisibleSpaces(handle.database.db, victim.being.id, cap)).map(
        (space) => space.name,
      );
    expect(await names(2)).toEqual(["Mine", "Imposed 3"]);
    // Activity reorders the spaces one is a member of: a post moves "Imposed 1" ahead.
    await app.expect(201, "POST", `/api/spaces/${imposed[0]}/intentions`, {
      token: outsider.token,
      body: { content: "news" },
    });
    const all = await names(500);
    expect(all.slice(0, 4)).toEqual(["Mine", "Imposed 1", "Imposed 3", "Imposed 2"]);
    // Public spaces one has not joined come last.
    expect(all.slice(4)).toEqual(["Newest public", "Open"]);
    expect(own.visibility).toBe("private");
  });
});
