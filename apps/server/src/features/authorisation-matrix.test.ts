import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Being, ERROR_STATUS, type Intention, type Space } from "@rhizome/protocol";
import { sql } from "drizzle-orm";
import { describeEachDriver } from "../testing/databases.ts";
import { asErrorBody, snapshotTables, TEST_PASSWORD, TestApp } from "../testing/test-app.ts";

/**
 * Who may do what, as one table: every route, asked by each kind of caller, about
 * a public and a private space. Private spaces do not exist for outsiders (404, never 403).
 */

type Statuses = readonly [
  anonymous: number,
  outsider: number,
  member: number,
  author: number,
  owner: number,
];
type Row = readonly [
  request: string,
  body: Record<string, string> | null,
  publicSpace: Statuses,
  privateSpace: Statuses,
];

const ROLES = ["anonymous", "outsider", "member", "author", "owner"] as const;
type Role = (typeof ROLES)[number];

// Placeholders are filled from a fresh fixture per cell: `:space` (owned by owner; member and
// author belong to it), `:intention` (the author's), `:tombstone` (the author's, deleted),
// `:<role>` (that being's id), `:<role>handle` (its handle), `:unknown` (an id that exists nowhere),
// `:fresh` (a handle nobody has, new at every use).
// biome-ignore format: a matrix reads best as aligned columns
const MATRIX: readonly Row[] = [
  //                                                              public space                 private space
  // request                                 body                   anon out mem aut own        anon out mem aut own
  ["GET /api/health",                        null,                  [200, 200, 200, 200, 200], [200, 200, 200, 200, 200]],
  ["GET /api/docs",                          null,                  [200, 200, 200, 200, 200], [200, 200, 200, 200, 200]],
  ["POST /api/auth/signup",                  { handle: ":fresh", password: TEST_PASSWORD }, [201, 201, 201, 201, 201], [201, 201, 201, 201, 201]],
  ["POST /api/auth/signin",                  { handle: ":authorhandle", password: TEST_PASSWORD }, [200, 200, 200, 200, 200], [200, 200, 200, 200, 200]],
  ["POST /api/auth/signin",                  { handle: ":authorhandle", password: "not the password" }, [401, 401, 401, 401, 401], [401, 401, 401, 401, 401]],
  ["POST /api/auth/signout",                 null,                  [401, 204, 204, 204, 204], [401, 204, 204, 204, 204]],
  ["GET /api/me",                            null,                  [401, 200, 200, 200, 200], [401, 200, 200, 200, 200]],
  ["PATCH /api/me",                          { name: "Renamed" },   [401, 200, 200, 200, 200], [401, 200, 200, 200, 200]],
  ["GET /api/beings/:author",                null,                  [401, 200, 200, 200, 200], [401, 200, 200, 200, 200]],
  ["GET /api/beings/:unknown",               null,                  [401, 404, 404, 404, 404], [401, 404, 404, 404, 404]],
  ["GET /api/beings?handle=:authorhandle",   null,                  [401, 200, 200, 200, 200], [401, 200, 200, 200, 200]],
  ["GET /api/beings?handle=nobody_here",     null,                  [401, 404, 404, 404, 404], [401, 404, 404, 404, 404]],
  ["POST /api/spaces",                       { name: "Another" },   [401, 201, 201, 201, 201], [401, 201, 201, 201, 201]],
  ["GET /api/spaces",                        null,                  [401, 200, 200, 200, 200], [401, 200, 200, 200, 200]],
  ["GET /api/spaces/:space",                 null,                  [401, 200, 200, 200, 200], [401, 404, 200, 200, 200]],
  ["GET /api/spaces/:unknown",               null,                  [401, 404, 404, 404, 404], [401, 404, 404, 404, 404]],
  ["POST /api/spaces/:space/join",           null,                  [401, 200, 200, 200, 200], [401, 404, 200, 200, 200]],
  ["POST /api/spaces/:space/members",        { beingId: ":outsider" }, [401, 403, 403, 403, 201], [401, 404, 403, 403, 201]],
  ["POST /api/spaces/:space/members",        { beingId: ":unknown" },  [401, 403, 403, 403, 404], [401, 404, 403, 403, 404]],
  ["DELETE /api/spaces/:space/members/:member", null,               [401, 403, 204, 403, 204], [401, 404, 204, 403, 204]],
  ["DELETE /api/spaces/:space/members/:owner",  null,               [401, 403, 403, 403, 409], [401, 404, 403, 403, 409]],
  ["GET /api/spaces/:space/beings",          null,                  [401, 200, 200, 200, 200], [401, 404, 200, 200, 200]],
  ["PUT /api/spaces/:space/read",            { cursor: "2099-01-01T00:00:00.000000Z" }, [401, 403, 204, 204, 204], [401, 404, 204, 204, 204]],
  ["PUT /api/spaces/:Space/read",            { cursor: "2099-01-01T00:00:00.000000Z" }, [401, 403, 204, 204, 204], [401, 404, 204, 204, 204]],
  ["POST /api/spaces/:space/intentions",     { content: "hi" },     [401, 403, 201, 201, 201], [401, 404, 201, 201, 201]],
  ["GET /api/spaces/:space/intentions",      null,                  [401, 200, 200, 200, 200], [401, 404, 200, 200, 200]],
  ["PATCH /api/intentions/:intention",       { content: "edited" }, [401, 403, 403, 200, 403], [401, 404, 403, 200, 403]],
  ["PATCH /api/intentions/:tombstone",       { content: "edited" }, [401, 404, 404, 404, 404], [401, 404, 404, 404, 404]],
  ["DELETE /api/intentions/:intention",      null,                  [401, 403, 403, 204, 204], [401, 404, 403, 204, 204]],
  ["DELETE /api/intentions/:tombstone",      null,                  [401, 403, 403, 204, 204], [401, 404, 403, 204, 204]],
  ["DELETE /api/intentions/:unknown",        null,                  [401, 404, 404, 404, 404], [401, 404, 404, 404, 404]],
  ["GET /api/stream?spaceId=:space",         null,                  [401, 200, 200, 200, 200], [401, 404, 200, 200, 200]],
  ["GET /api/stream?spaceId=:unknown",       null,                  [401, 404, 404, 404, 404], [401, 404, 404, 404, 404]],
  // The same rules for every id in another letter case (`:SPACE` upper, `:Space` mixed case).
  ["GET /api/beings/:AUTHOR",                null,                  [401, 200, 200, 200, 200], [401, 200, 200, 200, 200]],
  ["GET /api/spaces/:SPACE",                 null,                  [401, 200, 200, 200, 200], [401, 404, 200, 200, 200]],
  ["GET /api/spaces/:Space",                 null,                  [401, 200, 200, 200, 200], [401, 404, 200, 200, 200]],
  ["POST /api/spaces/:SPACE/join",           null,                  [401, 200, 200, 200, 200], [401, 404, 200, 200, 200]],
  ["POST /api/spaces/:Space/members",        { beingId: ":OUTSIDER" }, [401, 403, 403, 403, 201], [401, 404, 403, 403, 201]],
  ["DELETE /api/spaces/:SPACE/members/:MEMBER", null,               [401, 403, 204, 403, 204], [401, 404, 204, 403, 204]],
  ["DELETE /api/spaces/:Space/members/:Owner",  null,               [401, 403, 403, 403, 409], [401, 404, 403, 403, 409]],
  ["GET /api/spaces/:Space/beings",          null,                  [401, 200, 200, 200, 200], [401, 404, 200, 200, 200]],
  ["POST /api/spaces/:SPACE/intentions",     { content: "hi" },     [401, 403, 201, 201, 201], [401, 404, 201, 201, 201]],
  ["GET /api/spaces/:Space/intentions",      null,                  [401, 200, 200, 200, 200], [401, 404, 200, 200, 200]],
  ["PATCH /api/intentions/:INTENTION",       { content: "edited" }, [401, 403, 403, 200, 403], [401, 404, 403, 200, 403]],
  ["DELETE /api/intentions/:Intention",      null,                  [401, 403, 403, 204, 204], [401, 404, 403, 204, 204]],
  ["GET /api/stream?spaceId=:SPACE",         null,                  [401, 200, 200, 200, 200], [401, 404, 200, 200, 200]],
  ["GET /api/stream?spaceId=:Space",         null,                  [401, 200, 200, 200, 200], [401, 404, 200, 200, 200]],
];

type Fixture = { ids: Record<string, string> };

describeEachDriver("authorisation matrix", (handle) => {
  let app: TestApp;
  const beings = {} as Record<Exclude<Role, "anonymous">, { being: Being; token: string }>;

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
    for (const role of ["outsider", "member", "author", "owner"] as const) {
      beings[role] = await app.signup(`matrix_${role}`);
    }
  });
  afterAll(() => app.close());

  /** The space, its members and intentions, rebuilt for every cell so that cells are independent. */
  async function fixture(visibility: Space["visibility"]): Promise<Fixture> {
    await handle.database.db.execute(sql`DELETE FROM spaces`);
    const owner = beings.owner.token;
    const { space } = await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token: owner,
      body: { name: "Matrix", visibility },
    });
    for (const role of ["member", "author"] as const) {
      await app.expect(201, "POST", `/api/spaces/${space.id}/members`, {
        token: owner,
        body: { beingId: beings[role].being.id },
      });
    }
    const post = (content: string) =>
      app.expect<{ intention: Intention }>(201, "POST", `/api/spaces/${space.id}/intentions`, {
        token: beings.author.token,
        body: { content },
      });
    const { intention } = await post("the author's words");
    const { intention: tombstone } = await post("soon gone");
    await app.expect(204, "DELETE", `/api/intentions/${tombstone.id}`, {
      token: beings.author.token,
    });
    const ids: Record<string, string> = {
      space: space.id,
      intention: intention.id,
      tombstone: tombstone.id,
      unknown: crypto.randomUUID(),
    };
    for (const [role, { being }] of Object.entries(beings)) {
      ids[role] = being.id;
      ids[`${role}handle`] = being.handle;
    }
    return { ids };
  }

  /** `:name` is the id as stored; `:NAME` the same id in upper case; `:Name` in mixed case. */
  const spell = (name: string, id: string) =>
    name === name.toLowerCase()
      ? id
      : name === name.toUpperCase()
        ? id.toUpperCase()
        : [...id].map((char, index) => (index % 2 ? char.toUpperCase() : char)).join("");
  const fill = (text: string, ids: Record<string, string>) =>
    text.replace(/:([A-Za-z]+)/g, (placeholder, name: string) => {
      if (name === "fresh") return `fresh_${crypto.randomUUID().slice(0, 8)}`;
      const id = ids[name.toLowerCase()];
      return id === undefined ? placeholder : spell(name, id);
    });

  function ask(row: Row, token: string | undefined, { ids }: Fixture): Promise<Response> {
    const [request, body] = row;
    const [method, path] = request.split(" ") as [string, string];
    const filledBody =
      body &&
      Object.fromEntries(Object.entries(body).map(([key, value]) => [key, fill(value, ids)]));
    return app.request(method, fill(path, ids), {
      ...(token ? { token } : {}),
      ...(filledBody ? { body: filledBody } : {}),
    });
  }

  /**
   * The fixture, rebuilt only when it may have changed: a refusal provably changes nothing
   * (each refused cell compares snapshots) and reads change nothing, so only a successful
   * write dirties it. Every cell still starts from the state a fresh fixture would have.
   */
  let current: { visibility: Space["visibility"]; fixture: Fixture; dirty: boolean } | undefined;
  async function cleanFixture(visibility: Space["visibility"]): Promise<Fixture> {
    if (!current || current.visibility !== visibility || current.dirty) {
      current = { visibility, fixture: await fixture(visibility), dirty: false };
    }
    return current.fixture;
  }

  for (const [visibility, column] of [
    ["public", 2],
    ["private", 3],
  ] as const) {
    for (const row of MATRIX) {
      const [request, body] = row;
      ROLES.forEach((role, index) => {
        const expected = row[column][index] as number;
        const label = `${request}${body ? ` ${JSON.stringify(body)}` : ""}`;
        test(`${label} in a ${visibility} space as ${role} → ${expected}`, async () => {
          const state = await cleanFixture(visibility);
          const token =
            role === "anonymous" ? undefined : await app.newSession(state.ids[role] as string);
          const before = expected >= 400 ? await snapshotTables(handle.database) : undefined;
          const response = await ask(row, token, state);
          if (current && !request.startsWith("GET") && response.status < 400) current.dirty = true;
          const isStream = request.startsWith("GET /api/stream") && response.status === 200;
          if (isStream) {
            // Status only: the stream itself is tested elsewhere.
            expect(response.headers.get("content-type")).toStartWith("text/event-stream");
            await response.body?.cancel();
          }
          const text = isStream ? "" : await response.text();
          expect(`${response.status} ${text}`).toStartWith(`${expected}`);
          if (expected >= 400) {
            const { error } = asErrorBody(text);
            expect(ERROR_STATUS[error.code]).toBe(expected);
            // A refusal leaves no trace.
            expect(await snapshotTables(handle.database)).toEqual(
              before as Record<string, unknown[]>,
            );
          }
        });
      });
    }
  }
});
