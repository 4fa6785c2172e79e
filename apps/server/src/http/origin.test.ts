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

  test("behind a trusted proxy, the forwarded host and proto are what the client used", () => {
    const proxied = (headers: Record<string, string>) =>
      request("POST", { origin: "https://chat.example", ...headers }, "http://10.0.0.5:3000/api/x");
    const viaProxy = { "x-forwarded-host": "chat.example", "x-forwarded-proto": "https" };
    expect(isCrossSiteWrite(proxied(viaProxy), 1)).toBe(false);
    expect(isCrossSiteWrite(proxied({ forwarded: 'host="chat.example";proto=https' }), 1)).toBe(
      false,
    );
  });

  test("with no trusted proxy, forwarded headers are the client's word and ignored", () => {
    const forged = request(
      "POST",
      {
        origin: "https://evil.test",
        "x-forwarded-host": "evil.test",
        "x-forwarded-proto": "https",
        forwarded: "host=evil.test;proto=https",
      },
      "http://chat.test/api/x",
    );
    expect(isCrossSiteWrite(forged, 0)).toBe(true);
    expect(isCrossSiteWrite(forged)).toBe(true);
  });

  test("a different scheme on the same host is another origin", () => {
    expect(isCrossSiteWrite(request("POST", { origin: "https://chat.test" }))).toBe(true);
    expect(isCrossSiteWrite(request("POST", { origin: "http://chat.test" }))).toBe(false);
    const tls = request("POST", { origin: "http://chat.test" }, "https://chat.test/api/x");
    expect(isCrossSiteWrite(tls)).toBe(true);
    const proxied = request("POST", { origin: "http://chat.test", "x-forwarded-proto": "https" });
    expect(isCrossSiteWrite(proxied, 1)).toBe(true);
  });

  test("default ports and letter case do not make another origin", () => {
    const headers = { origin: "https://Chat.Example", host: "chat.example:443" };
    expect(isCrossSiteWrite(request("POST", headers, "https://chat.example/api/x"))).toBe(false);
  });

  test("only the entry the trusted proxy appended counts, not what the client put before it", () => {
    const twoEntries = request(
      "POST",
      { origin: "https://evil.test", "x-forwarded-host": "evil.test, chat.test" },
      "http://chat.test/api/x",
    );
    expect(isCrossSiteWrite(twoEntries, 1)).toBe(true);
  });
});

describe("isSecure", () => {
  test("a direct TLS connection is secure whatever the hops", () => {
    expect(isSecure(request("GET", {}, "https://chat.test/"), 0)).toBe(true);
    expect(isSecure(request("GET", {}, "https://chat.test/"), 1)).toBe(true);
    expect(isSecure(request("GET", {}), 1)).toBe(false);
  });

  test("with no trusted proxy, X-Forwarded-Proto and Forwarded are ignored", () => {
    expect(isSecure(request("GET", { "x-forwarded-proto": "https" }), 0)).toBe(false);
    expect(isSecure(request("GET", { forwarded: "proto=https" }), 0)).toBe(false);
  });

  test("a trusted proxy's proto, in the spellings proxies use", () => {
    const secure: Record<string, string>[] = [
      { "x-forwarded-proto": "https" },
      { "x-forwarded-proto": "HTTPS" },
      { "x-forwarded-proto": " https " },
      { "x-forwarded-proto": "http, https" },
      { forwarded: "proto=https" },
      { forwarded: "Proto=HTTPS" },
      { forwarded: 'proto="https"' },
      { forwarded: "for=192.0.2.60;proto=https;by=203.0.113.43" },
      { forwarded: 'for="[2001:db8:cafe::17]:4711"; proto=https' },
      { forwarded: "for=6.6.6.6;proto=http, for=192.0.2.60;proto=https" },
      { forwarded: 'for=1.1.1.1, for="a,b";proto=https' },
    ];
    for (const headers of secure)
      expect([headers, isSecure(request("GET", headers), 1)]).toEqual([headers, true]);
    const plain: Record<string, string>[] = [
      { "x-forwarded-proto": "http" },
      { "x-forwarded-proto": "https, http" },
      { "x-forwarded-proto": "httpsx" },
      { "x-forwarded-proto": "" },
      { forwarded: "proto=http" },
      { forwarded: "for=1.1.1.1;proto=https, for=2.2.2.2;proto=http" },
      { forwarded: 'proto="https' },
      { forwarded: "proto" },
      { forwarded: ";;,,=" },
      { forwarded: "for=1.1.1.1;proto=https, for=2.2.2.2" },
    ];
    for (const headers of plain)
      expect([headers, isSecure(request("GET", headers), 1)]).toEqual([headers, false]);
  });

  test("behind two proxies, the outer proxy's entry counts: the one next to the client", () => {
    expect(isSecure(request("GET", { "x-forwarded-proto": "https, http" }), 2)).toBe(true);
    expect(isSecure(request("GET", { "x-forwarded-proto": "https, https, http" }), 2)).toBe(true);
    expect(isSecure(request("GET", { "x-forwarded-proto": "https, http, http" }), 2)).toBe(false);
    const forwarded = "for=6.6.6.6;proto=http, for=192.0.2.60;proto=https, for=10.0.0.2;proto=http";
    expect(isSecure(request("GET", { forwarded }), 2)).toBe(true);
    // Fewer entries than hops: no proxy we trust is known to have written any of them.
    expect(isSecure(request("GET", { "x-forwarded-proto": "https" }), 2)).toBe(false);
  });

  test("Forwarded wins over X-Forwarded-Proto when its entry names a proto", () => {
    const both = { forwarded: "proto=http", "x-forwarded-proto": "https" };
    expect(isSecure(request("GET", both), 1)).toBe(false);
    const noProto = { forwarded: "for=192.0.2.60", "x-forwarded-proto": "https" };
    expect(isSecure(request("GET", noProto), 1)).toBe(true);
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

describeEachDriver("the session cookie's Secure flag", (handle) => {
  const signin = async (app: TestApp, headers: Record<string, string>) => {
    const response = await app.request("POST", "/api/auth/signin", {
      headers,
      body: { handle: "secure_flag", password: TEST_PASSWORD },
    });
    expect(response.status).toBe(200);
    return response.headers.get("set-cookie") ?? "";
  };

  test("set from a trusted proxy's Forwarded or X-Forwarded-Proto, never from the client's", async () => {
    const direct = await TestApp.create(handle.database);
    const proxied = await TestApp.create(handle.database, { trustProxyHops: 1 });
    try {
      await direct.signup("secure_flag");
      expect(await signin(direct, { "x-forwarded-proto": "https" })).not.toContain("Secure");
      expect(await signin(direct, { forwarded: "proto=https" })).not.toContain("Secure");
      expect(await signin(proxied, { forwarded: "for=192.0.2.1;Proto=HTTPS" })).toContain(
        "; Secure",
      );
      expect(await signin(proxied, { "x-forwarded-proto": "http, https" })).toContain("; Secure");
      expect(await signin(proxied, { "x-forwarded-proto": "https, http" })).not.toContain("Secure");
    } finally {
      await direct.close();
      await proxied.close();
    }
  });
});
