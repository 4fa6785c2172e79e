import { afterAll, beforeAll, expect, test } from "bun:test";
import { ERROR_STATUS, type Intention, type Space } from "@rhizome/protocol";
import fc from "fast-check";
import { describeEachDriver } from "../testing/databases.ts";
import { type FuzzRequest, fuzzRequest, toRequest } from "../testing/fuzz/requests.ts";
import { ROUTES, type World } from "../testing/fuzz/routes.ts";
import { asErrorBody, snapshotTables, TEST_PASSWORD, TestApp } from "../testing/test-app.ts";

/** Signs of an internal error leaking out: stack frames, source paths. */
const LEAK = /\bat .+:\d+:\d+|node_modules|\/src\/|\.ts:\d+|TypeError|ReferenceError|PostgresError/;

describeEachDriver("API fuzz", (handle) => {
  let app: TestApp;
  let world: World;
  let before: Record<string, unknown[]>;

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
    const owner = await app.signup("fuzz_owner");
    const other = await app.signup("fuzz_other");
    const space = (visibility: string) =>
      app
        .expect<{ space: Space }>(201, "POST", "/api/spaces", {
          token: owner.token,
          body: { name: `Fuzz ${visibility}`, visibility },
        })
        .then((answer) => answer.space.id);
    const spaces = [await space("public"), await space("private")];
    const { intention } = await app.expect<{ intention: Intention }>(
      201,
      "POST",
      `/api/spaces/${spaces[0]}/intentions`,
      { token: owner.token, body: { content: "a target for edits and deletes" } },
    );
    world = {
      ownerToken: owner.token,
      otherToken: other.token,
      ownerHandle: owner.being.handle,
      password: TEST_PASSWORD,
      spaces,
      intentions: [intention.id],
      beings: [owner.being.id, other.being.id],
    };
    before = await snapshotTables(handle.database);
  });
  afterAll(() => app.close());

  async function check(fuzz: FuzzRequest): Promise<void> {
    const response = await app.app.handle(toRequest(fuzz));
    if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
      await response.body?.cancel();
    }
    const text = response.bodyUsed ? "" : await response.text();
    expect(response.status).toBeLessThan(500);
    expect(text).not.toMatch(LEAK);
    if (response.status >= 400) {
      expect(response.headers.get("content-type")).toStartWith("application/json");
      const { error } = asErrorBody(text);
      expect(ERROR_STATUS[error.code]).toBe(response.status);
    }
    // Every request carried a corruption: none may leave a trace.
    expect(await snapshotTables(handle.database)).toEqual(before);
  }

  for (const route of ROUTES) {
    test(`${route.method} ${route.path}: malformed requests get a clean 4xx and change nothing`, async () => {
      await fc.assert(fc.asyncProperty(fuzzRequest(route, world), check), {
        numRuns: Number(process.env.FUZZ_RUNS ?? 60),
      });
    });
  }

  test("the database is exactly as before the fuzzing", async () => {
    expect(await snapshotTables(handle.database)).toEqual(before);
  });
});
