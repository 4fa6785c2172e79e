import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SESSION_COOKIE, type Space } from "@rhizome/protocol";
import { describeEachDriver } from "../testing/databases.ts";
import { asErrorBody, TEST_PASSWORD, TestApp } from "../testing/test-app.ts";
import { isCrossSiteWrite, isSecure } from "./origin.ts";

const request = (method: string, headers: Record<string, string>, url = "http://chat.test/api/x") =>
  new Request(url, { method, headers });

describe("isCrossSiteWrite", () => {
  test("a write from another origin, or an opaque one, is cross-site", () => {
    expect(isCrossSiteWrite(request("POST", { origin: "https://evil.test" }))).toBe(true);
    expect(isCrossSiteWrite(request("DELETE", { origin: "null" }))).toBe(true);
    expect(isCrossSiteWrite(request("PATCH", { origin: "not a url" }))).toBe(true);
    expect(isCrossSiteWrite(request("POST", { "sec-fetch-site": "cross-site" }))).toBe(true);
    expect(isCrossSiteWrite(request("POST", { "sec-fetch-site": "same-site" }))).toBe(true);
  });

  test("same-origin writes, reads, and clients that send no browser headers pass", () => {
    expect(isCrossSiteWrite(request("POST", { origin: "http://chat.test" }))).toBe(false);
    expect(isCrossSiteWrite(request("POST", { "sec-fetch-site": "same-origin" }))).toBe(false);
    expect(isCrossSiteWrite(request("POST", {}))).toBe(false);
    expect(isCrossSiteWrite(request("GET", { origin: "https://evil.test" }))).toBe(false);
  });

  test("behind a proxy, the forwarded host is the origin's host", () => {
    const proxied = request(
      "POST",
      { origin: "https://chat.example", "x-forwarded-host": "chat.example" },
      "http://10.0.0.5:3000/api/x",
    );
    expect(isCrossSiteWrite(proxied)).toBe(false);
  });
});

describe("isSecure", () => {
  test("TLS directly or announced by the proxy", () => {
    expect(isSecure(request("GET", {}, "https://chat.test/"))).toBe(true);
    expect(isSecure(request("GET", { "x-forwarded-proto": "https" }))).toBe(true);
    expect(isSecure(request("GET", {}))).toBe(false);
  });
});

describeEachDriver("CSRF defence of cookie sessions", (handle) => {
  let app: TestApp;
  let token: string;
  const EVIL = { origin: "https://evil.test" };
  const SAME = { origin: "http://localhost" };

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
    token = (await app.signup("csrf_victim")).token;
  });
  afterAll(() => app.close());

  const withCookie = (headers: Record<string, string>) => ({
    ...headers,
    cookie: `${SESSION_COOKIE}=${token}`,
  });
  const createSpace = (headers: Record<string, string>, bearer?: string) =>
    app.request("POST", "/api/spaces", {
      headers,
      body: { name: "Forged?" },
      ...(bearer ? { token: bearer } : {}),
    });

  test("a cookie-authenticated write from another site is refused with 403", async () => {
    for (const headers of [EVIL, { "sec-fetch-site": "cross-site" }, { origin: "null" }]) {
      const response = await createSpace(withCookie(headers));
      expect(response.status).toBe(403);
      expect(asErrorBody(await response.text()).error.code).toBe("forbidden");
    }
    const { spaces } = await app.expect<{ spaces: Space[] }>(200, "GET", "/api/spaces", { token });
    expect(spaces.filter((space) => space.name === "Forged?")).toHaveLength(0);
  });

  test("signing out cross-site is refused too: it would be a forced logout", async () => {
    const response = await app.request("POST", "/api/auth/signout", { headers: withCookie(EVIL) });
    expect(response.status).toBe(403);
    await app.expect(200, "GET", "/api/me", { token });
  });

  test("sign-in and sign-up from another site are refused (login CSRF)", async () => {
    const signin = await app.request("POST", "/api/auth/signin", {
      headers: EVIL,
      body: { handle: "csrf_victim", password: TEST_PASSWORD },
    });
    expect(signin.status).toBe(403);
    const signup = await app.request("POST", "/api/auth/signup", {
      headers: EVIL,
      body: { handle: "csrf_planted", password: TEST_PASSWORD },
    });
    expect(signup.status).toBe(403);
  });

  test("same-origin cookie writes, cross-site reads and bearer writes are unaffected", async () => {
    expect((await createSpace(withCookie(SAME))).status).toBe(201);
    expect((await createSpace(withCookie({ "sec-fetch-site": "same-origin" }))).status).toBe(201);
    expect((await createSpace(EVIL, token)).status).toBe(201);
    await app.expect(200, "GET", "/api/me", { headers: withCookie(EVIL) });
  });
});
