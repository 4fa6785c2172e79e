import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Being, Intention, Space } from "@rhizome/protocol";
import { describeEachDriver } from "../testing/databases.ts";
import { INJECTION, MARKUP } from "../testing/fuzz/values.ts";
import { asErrorBody, TEST_PASSWORD, TestApp } from "../testing/test-app.ts";

/** The input limits (`LIMITS`), at their edges; refusals name the field at fault. */
describeEachDriver("input rules", (handle) => {
  let app: TestApp;
  let token: string;
  let spaceId: string;

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
    token = (await app.signup("rules_tester")).token;
    ({
      space: { id: spaceId },
    } = await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token,
      body: { name: "Rules" },
    }));
  });
  afterAll(() => app.close());

  /** Expects a 400 whose message names `field`. */
  async function refused(method: string, path: string, body: unknown, field: string) {
    const response = await app.request(method, path, { token, body });
    const text = await response.text();
    expect(`${response.status} ${text}`).toStartWith("400");
    const { error } = asErrorBody(text);
    expect(error.code).toBe("invalid");
    expect(error.message).toContain(field);
  }

  const post = (content: string) =>
    app.expect<{ intention: Intention }>(201, "POST", `/api/spaces/${spaceId}/intentions`, {
      token,
      body: { content },
    });

  test("content: 1..4000 characters, not blank, stored exactly as sent", async () => {
    for (const content of ["x", "y".repeat(4000), "  padded\n\tcontent  "]) {
      expect((await post(content)).intention.content).toBe(content);
    }
    const path = `/api/spaces/${spaceId}/intentions`;
    for (const content of ["", " ", "\n\t \u00a0", "z".repeat(4001)]) {
      await refused("POST", path, { content }, "content");
    }
    await refused("POST", path, {}, "content");
    const { intention } = await post("to edit");
    await refused("PATCH", `/api/intentions/${intention.id}`, { content: "  " }, "content");
    await refused(
      "PATCH",
      `/api/intentions/${intention.id}`,
      { content: "z".repeat(4001) },
      "content",
    );
    await refused("POST", path, { id: "not-a-uuid", content: "x" }, "id");
  });

  test("text made only of invisible characters is refused like blank text, everywhere", async () => {
    const invisible = [
      "\u200b",
      "\u2800",
      "\u115f",
      "\u3164 \u200d",
      "\ufeff\u2060",
      "\u200b\u00a0\u200c",
    ];
    const { intention } = await post("to edit invisibly");
    for (const text of invisible) {
      await refused("POST", `/api/spaces/${spaceId}/intentions`, { content: text }, "content");
      await refused("PATCH", `/api/intentions/${intention.id}`, { content: text }, "content");
      await refused("PATCH", "/api/me", { name: text }, "name");
      await refused("POST", "/api/spaces", { name: text }, "name");
    }
    const signup = await app.request("POST", "/api/auth/signup", {
      body: { handle: "invisible_one", password: TEST_PASSWORD, name: "\u2800\u2800" },
    });
    expect(signup.status).toBe(400);
    // Visible text with invisible characters around it stands as sent.
    expect((await post("\u200bhi\u200b")).intention.content).toBe("\u200bhi\u200b");
  });

  test("handle: ^[a-z0-9_]{3,32}$ once lower-cased; password: 8..200", async () => {
    const signup = (handle: string, password = TEST_PASSWORD) =>
      refused("POST", "/api/auth/signup", { handle, password }, "handle");
    const bads = ["ab", "AB", "a".repeat(33), "Dash-ed", "with space", "has space", "été", "x'--"];
    for (const bad of bads) {
      await signup(bad);
    }
    for (const password of ["short", "p".repeat(201)]) {
      await refused("POST", "/api/auth/signup", { handle: "fine_handle", password }, "password");
    }
  });

  test("space name: 1..80, not blank, trimmed; visibility public or private", async () => {
    const create = (body: object) =>
      app.expect<{ space: Space }>(201, "POST", "/api/spaces", { token, body });
    expect((await create({ name: "n".repeat(80) })).space.visibility).toBe("public");
    expect((await create({ name: "  Lounge  ", visibility: "private" })).space).toMatchObject({
      name: "Lounge",
      visibility: "private",
    });
    for (const name of ["", "   ", "n".repeat(81)]) {
      await refused("POST", "/api/spaces", { name }, "name");
    }
    await refused("POST", "/api/spaces", { name: "ok", visibility: "secret" }, "visibility");
  });

  test("profile: colour #rrggbb (stored lower-case), name 1..80, both optional", async () => {
    const { being } = await app.expect<{ being: Being }>(200, "PATCH", "/api/me", {
      token,
      body: { color: "#A1b2C3", name: " Renamed " },
    });
    expect(being).toMatchObject({ color: "#a1b2c3", name: "Renamed" });
    for (const color of ["#abc", "red", "#gggggg", "a1b2c3", "#a1b2c3 "]) {
      await refused("PATCH", "/api/me", { color }, "color");
    }
    await refused("PATCH", "/api/me", { name: "" }, "name");
    await refused("PATCH", "/api/me", { name: "n".repeat(81) }, "name");
    // Both fields are optional: an empty patch changes nothing, not even updatedAt.
    const unchanged = await app.expect<{ being: Being }>(200, "PATCH", "/api/me", {
      token,
      body: {},
    });
    expect(unchanged.being).toEqual(being);
  });

  test("keys that shadow every object's own (toString, valueOf, __proto__) are refused", async () => {
    // Found by the fuzz suite: the validator's message printed such an object, and threw.
    const sneaky = '{"handle":{"toString":1,"valueOf":1},"password":"whatever1"}';
    await refused("POST", "/api/auth/signin", sneaky, "toString");
    await refused("POST", "/api/auth/signin", '{"__proto__":{"handle":"x"}}', "__proto__");
    await refused("PATCH", "/api/me", '{"name":"ok","constructor":"x"}', "constructor");
  });

  test("looking a being up by handle: characters no handle has are a 400, not a query", async () => {
    for (const handle of ["%00", "a%00b", "%F0%9F%98%80", "a b", "x".repeat(65)]) {
      const response = await app.request("GET", `/api/beings?handle=${handle}`, { token });
      expect(response.status).toBe(400);
      expect(asErrorBody(await response.text()).error.code).toBe("invalid");
    }
    await app.expect(404, "GET", "/api/beings?handle=No_Such_Being", { token });
  });

  test("history: limit 1..100; cursors must be real times", async () => {
    const history = `/api/spaces/${spaceId}/intentions`;
    await app.expect(200, "GET", `${history}?limit=100`, { token });
    await app.expect(200, "GET", `${history}?before=2999-01-01T00:00:00.000000Z`, { token });
    for (const query of ["limit=0", "limit=101", "limit=ten", "before=yesterday"]) {
      await refused("GET", `${history}?${query}`, undefined, query.split("=")[0] as string);
    }
    // Well-formed, yet no such instant: refused up front, never handed to Postgres.
    for (const before of ["2025-02-30T00:00:00.000000Z", "0000-01-01T00:00:00.000000Z"]) {
      await refused("GET", `${history}?before=${before}`, undefined, "before");
    }
    await refused(
      "GET",
      `/api/stream?spaceId=${spaceId}&since=2025-13-01T00:00:00.000000Z`,
      undefined,
      "since",
    );
    const resume = await app.request("GET", `/api/stream?spaceId=${spaceId}`, {
      token,
      headers: { "last-event-id": "2025-01-01T24:00:00.000000Z" },
    });
    expect(resume.status).toBe(400);
    expect(asErrorBody(await resume.text()).error.message).toContain("Last-Event-ID");
  });

  test("markup and injection strings are data: stored and answered verbatim", async () => {
    for (const text of [...MARKUP, ...INJECTION]) {
      const { intention } = await post(text);
      expect(intention.content).toBe(text);
    }
    const { intentions } = await app.expect<{ intentions: Intention[] }>(
      200,
      "GET",
      `/api/spaces/${spaceId}/intentions?limit=100`,
      { token },
    );
    const contents = intentions.map((intention) => intention.content);
    for (const text of [...MARKUP, ...INJECTION]) expect(contents).toContain(text);
    const name = MARKUP[0] as string;
    const { being } = await app.expect<{ being: Being }>(200, "PATCH", "/api/me", {
      token,
      body: { name },
    });
    expect(being.name).toBe(name);
  });
});
