import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Being, SESSION_COOKIE } from "@rhizome/protocol";
import { sql } from "drizzle-orm";
import { rowsOf } from "../../db/sql.ts";
import { describeEachDriver } from "../../testing/databases.ts";
import { asErrorBody, snapshotTables, TEST_PASSWORD, TestApp } from "../../testing/test-app.ts";
import { hashToken } from "./tokens.ts";

/** Accounts and sessions (docs/PROTOCOL.md §2): what is stored, and what the browser is given. */
describeEachDriver("accounts and sessions", (handle) => {
  let app: TestApp;
  let ada: { being: Being; token: string };
  let signupCookie: string;

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
    const response = await app.request("POST", "/api/auth/signup", {
      body: { handle: "ada", password: TEST_PASSWORD, name: "  Ada Lovelace  " },
    });
    expect(response.status).toBe(201);
    signupCookie = response.headers.get("set-cookie") ?? "";
    ada = (await response.json()) as typeof ada;
  });
  afterAll(() => app.close());

  const cookieAttributes = (header: string) =>
    header.split(";").map((part) => part.trim().split("=")[0]?.toLowerCase());

  test("sign-up answers the being, the token, and the same token as an HttpOnly, SameSite=Lax cookie", () => {
    expect(ada.being).toMatchObject({ handle: "ada", name: "Ada Lovelace" });
    expect(ada.being.color).toMatch(/^#[0-9a-f]{6}$/);
    expect(signupCookie).toStartWith(`${SESSION_COOKIE}=${ada.token};`);
    expect(signupCookie).toContain("HttpOnly");
    expect(signupCookie).toContain("SameSite=Lax");
    expect(signupCookie).toContain("Path=/");
    expect(cookieAttributes(signupCookie)).not.toContain("secure");
  });

  test("over TLS the cookie is also Secure; an untrusted X-Forwarded-Proto does not make it so", async () => {
    const body = JSON.stringify({ handle: "ada", password: TEST_PASSWORD });
    const response = await app.app.handle(
      new Request("https://localhost/api/auth/signin", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      }),
    );
    expect(response.status).toBe(200);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookieAttributes(cookie)).toContain("secure");
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    // TRUST_PROXY_HOPS is 0 here: the header is the client's word (origin.test.ts has proxies).
    const forged = await app.request("POST", "/api/auth/signin", {
      body: { handle: "ada", password: TEST_PASSWORD },
      headers: { "x-forwarded-proto": "https" },
    });
    expect(cookieAttributes(forged.headers.get("set-cookie") ?? "")).not.toContain("secure");
  });

  test("the cookie authenticates like the bearer token", async () => {
    const me = await app.expect<{ being: Being }>(200, "GET", "/api/me", {
      headers: { cookie: `theme=dark; ${SESSION_COOKIE}=${ada.token}` },
    });
    expect(me.being.id).toBe(ada.being.id);
  });

  test("passwords are stored as argon2id hashes, never as given", async () => {
    const [row] = await rowsOf<{ password_hash: string }>(
      handle.database.db,
      sql`SELECT password_hash FROM beings WHERE handle = 'ada'`,
    );
    expect(row?.password_hash).toStartWith("$argon2id$");
    expect(row?.password_hash).not.toContain(TEST_PASSWORD);
  });

  test("session tokens are stored only as their hash", async () => {
    const keys = await rowsOf<{ token_hash: string }>(
      handle.database.db,
      sql`SELECT token_hash FROM sessions WHERE being_id = ${ada.being.id}`,
    );
    expect(keys.map((key) => key.token_hash)).toContain(hashToken(ada.token));
    // The token itself appears nowhere in the database.
    const everything = JSON.stringify(await snapshotTables(handle.database));
    expect(everything).not.toContain(ada.token);
  });

  test("sign-in refuses a wrong password and an unknown handle alike", async () => {
    const attempts = await Promise.all(
      [
        { handle: "ada", password: "not the password" },
        { handle: "nobody", password: TEST_PASSWORD },
      ].map((body) => app.request("POST", "/api/auth/signin", { body })),
    );
    const bodies = await Promise.all(attempts.map((response) => response.text()));
    expect(attempts.map((response) => response.status)).toEqual([401, 401]);
    expect(bodies[0]).toBe(bodies[1] as string);
    expect(asErrorBody(bodies[0] as string).error.code).toBe("unauthorized");
    expect(attempts.every((response) => !response.headers.has("set-cookie"))).toBe(true);
  });

  test("a taken handle is a 409", async () => {
    const response = await app.request("POST", "/api/auth/signup", {
      body: { handle: "ada", password: "another password" },
    });
    expect(response.status).toBe(409);
    expect(asErrorBody(await response.text()).error.code).toBe("conflict");
  });

  test("a being's public profile has exactly the contract's fields", async () => {
    const { being } = await app.expect<{ being: Record<string, unknown> }>(
      200,
      "GET",
      `/api/beings/${ada.being.id}`,
      { token: ada.token },
    );
    expect(Object.keys(being).sort()).toEqual(
      ["color", "createdAt", "handle", "id", "name", "updatedAt"].sort(),
    );
  });

  test("an expired session is refused at once, and purged later; live ones stay", async () => {
    const expired = await app.newSession(ada.being.id);
    await handle.database.db.execute(
      sql`UPDATE sessions SET expires_at = now() - interval '1 second'
          WHERE token_hash = ${hashToken(expired)}`,
    );
    const refused = await app.request("GET", "/api/me", { token: expired });
    expect(refused.status).toBe(401);
    expect(asErrorBody(await refused.text()).error.code).toBe("unauthorized");

    expect(await app.ctx.sessionPurge.run()).toBeGreaterThanOrEqual(1);
    const left = await rowsOf<{ token_hash: string }>(
      handle.database.db,
      sql`SELECT token_hash FROM sessions`,
    );
    const keys = left.map((row) => row.token_hash);
    expect(keys).not.toContain(hashToken(expired));
    expect(keys).toContain(hashToken(ada.token));
    await app.expect(200, "GET", "/api/me", { token: ada.token });
  });

  test("who is asking comes first: without a valid session, a malformed request is a 401", async () => {
    const asked = [
      ["POST", "/api/spaces", undefined],
      ["POST", "/api/spaces", { name: "" }],
      ["PATCH", "/api/me", { color: "red" }],
      ["POST", `/api/spaces/${crypto.randomUUID()}/intentions`, { content: 7 }],
      ["GET", "/api/spaces/not-a-uuid", undefined],
      ["GET", "/api/stream?spaceId=nope&since=never", undefined],
      // Bodies that are not JSON at all, or text Postgres cannot store.
      ["POST", "/api/spaces", "{not json"],
      ["POST", `/api/spaces/${crypto.randomUUID()}/intentions`, "{not json"],
      ["POST", `/api/spaces/${crypto.randomUUID()}/intentions`, '{"content":"a\\u0000b"}'],
      ["POST", "/api/stream", "[{"],
      ["PATCH", `/api/intentions/${crypto.randomUUID()}`, "\u00ff, not JSON"],
      ["POST", "/api/auth/signout", "{not json"],
      // A 400 found by the handler itself, before a statement that checks the session.
      ["GET", `/api/spaces/${crypto.randomUUID()}/intentions?before=never`, undefined],
    ] as const;
    for (const token of [undefined, "not-a-session"]) {
      for (const [method, path, body] of asked) {
        const response = await app.request(method, path, {
          ...(token ? { token } : {}),
          ...(body === undefined ? {} : { body }),
        });
        expect(`${method} ${path} ${response.status}`).toBe(`${method} ${path} 401`);
        expect(asErrorBody(await response.text()).error.code).toBe("unauthorized");
      }
    }
    // With a session, the same malformed requests are what they are: 400, with the reason.
    const response = await app.request("POST", "/api/spaces", {
      token: ada.token,
      body: { name: "" },
    });
    expect(response.status).toBe(400);
    const unreadable = [
      ["POST", "/api/spaces", "{not json", "not valid JSON"],
      ["POST", "/api/auth/signout", "{not json", "not valid JSON"],
      ["POST", "/api/auth/signin", "{not json", "not valid JSON"],
      ["PATCH", "/api/me", '{"name":"a\\u0000b"}', "NUL"],
    ] as const;
    for (const [method, path, body, reason] of unreadable) {
      const answer = await app.request(method, path, { token: ada.token, body });
      expect(`${method} ${path} ${answer.status}`).toBe(`${method} ${path} 400`);
      expect(asErrorBody(await answer.text()).error.message).toContain(reason);
    }
    // The refused sign-out changed nothing: the session still works.
    await app.expect(200, "GET", "/api/me", { token: ada.token });
  });
});
