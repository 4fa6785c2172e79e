import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Space } from "@rhizome/protocol";
import { describeEachDriver } from "../testing/databases.ts";
import { TestApp } from "../testing/test-app.ts";
import { contentSecurityPolicy, inlineScriptHashes } from "./security-headers.ts";

const BOOTSTRAP = "\n  window.__boot = 1;\n";
const INDEX_HTML = `<!doctype html><html><head><script>${BOOTSTRAP}</script>
<script type="module" src="/_app/start.js"></script></head><body></body></html>`;
const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** What every response carries, whatever served it. */
function expectBaseHeaders(response: Response, what: string): void {
  const headers = response.headers;
  expect([what, headers.get("x-content-type-options")]).toEqual([what, "nosniff"]);
  expect([what, headers.get("referrer-policy")]).toEqual([what, "strict-origin-when-cross-origin"]);
  expect([what, headers.get("x-frame-options")]).toEqual([what, "DENY"]);
  const csp = headers.get("content-security-policy") ?? "";
  expect([what, csp]).toEqual([what, expect.stringContaining("frame-ancestors 'none'")]);
  expect(csp).toContain("object-src 'none'");
}

/** The script sources a policy allows. */
const scriptSources = (csp: string) =>
  csp
    .split(";")
    .map((directive) => directive.trim().split(/\s+/))
    .find(([name]) => name === "script-src")
    ?.slice(1) ?? [];

describe("contentSecurityPolicy", () => {
  test("scripts come from our own origin only, plus the inline scripts it is given", () => {
    expect(scriptSources(contentSecurityPolicy())).toEqual(["'self'"]);
    expect(scriptSources(contentSecurityPolicy(["'sha256-abc='"]))).toEqual([
      "'self'",
      "'sha256-abc='",
    ]);
  });

  test("inline scripts are hashed as written, external and data scripts are not", () => {
    const html = `<script>a()</script><script src="/x.js"></script><SCRIPT type="module">b()</SCRIPT>`;
    expect(inlineScriptHashes(html)).toEqual([sha256("a()"), sha256("b()")]);
    expect(inlineScriptHashes(`<script type="application/json">{"a":1}</script>`)).toEqual([]);
  });
});

describeEachDriver("security headers", (handle) => {
  let app: TestApp;
  let webDir: string;
  let token: string;

  beforeAll(async () => {
    webDir = mkdtempSync(join(tmpdir(), "rz-web-"));
    writeFileSync(join(webDir, "200.html"), INDEX_HTML);
    mkdirSync(join(webDir, "_app"));
    writeFileSync(join(webDir, "_app", "start.js"), "console.log(1)");
    app = await TestApp.create(handle.database, { webDir });
    token = (await app.signup("header_check")).token;
  });
  afterAll(async () => {
    await app.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  test("the served app's HTML allows its own inline bootstrap script by hash, nothing else inline", async () => {
    for (const path of ["/", "/spaces/deep/link", "/200.html"]) {
      const response = await app.request("GET", path);
      expect(response.status).toBe(200);
      expectBaseHeaders(response, path);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(scriptSources(csp)).toEqual(["'self'", sha256(BOOTSTRAP)]);
      expect(csp).not.toContain("unsafe-eval");
      expect(scriptSources(csp)).not.toContain("'unsafe-inline'");
    }
    const asset = await app.request("GET", "/_app/start.js");
    expect(asset.status).toBe(200);
    expectBaseHeaders(asset, "asset");
  });

  test("API answers carry them too: JSON, errors, and bodies refused before routing", async () => {
    expectBaseHeaders(await app.request("GET", "/api/health"), "health");
    expectBaseHeaders(await app.request("GET", "/api/me", { token }), "me");
    expectBaseHeaders(await app.request("GET", "/api/me"), "401");
    expectBaseHeaders(await app.request("GET", "/api/nowhere"), "404");
    expectBaseHeaders(await app.request("POST", "/api/spaces", { token, body: "{" }), "400");
    const huge = await app.request("POST", "/api/spaces", {
      token,
      body: "x",
      headers: { "content-length": String(10 * 1024 * 1024) },
    });
    expect(huge.status).toBe(413);
    expectBaseHeaders(huge, "413");
    expectBaseHeaders(await app.request("GET", "/metrics"), "metrics");
  });

  test("the docs and a stream carry them", async () => {
    expectBaseHeaders(await app.request("GET", "/api/docs"), "docs");
    expectBaseHeaders(await app.request("GET", "/api/docs/json"), "docs json");
    const { space } = await app.expect<{ space: Space }>(200 + 1, "POST", "/api/spaces", {
      token,
      body: { name: "Headers" },
    });
    const abort = new AbortController();
    const stream = await app.request("GET", `/api/stream?spaceId=${space.id}`, {
      token,
      signal: abort.signal,
    });
    expect(stream.status).toBe(200);
    expectBaseHeaders(stream, "stream");
    abort.abort();
    await stream.body?.cancel().catch(() => {});
  });
});
