import { afterAll, beforeAll, expect, test } from "bun:test";
import { describeEachDriver } from "../testing/databases.ts";
import { TestApp } from "../testing/test-app.ts";

/** The REST API's routes, as the OpenAPI document spells them. */
const CONTRACT: [method: string, path: string, auth: boolean][] = [
  ["post", "/api/auth/signup", false],
  ["post", "/api/auth/signin", false],
  ["post", "/api/auth/signout", true],
  ["get", "/api/me", true],
  ["patch", "/api/me", true],
  ["get", "/api/beings/{id}", true],
  ["post", "/api/spaces", true],
  ["get", "/api/spaces", true],
  ["get", "/api/spaces/{id}", true],
  ["post", "/api/spaces/{id}/join", true],
  ["post", "/api/spaces/{id}/members", true],
  ["delete", "/api/spaces/{id}/members/{beingId}", true],
  ["get", "/api/spaces/{id}/beings", true],
  ["post", "/api/spaces/{id}/intentions", true],
  ["get", "/api/spaces/{id}/intentions", true],
  ["patch", "/api/intentions/{id}", true],
  ["delete", "/api/intentions/{id}", true],
  ["get", "/api/stream", true],
  ["get", "/api/health", false],
];

type Operation = {
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
};

describeEachDriver("OpenAPI documentation", (handle) => {
  let app: TestApp;
  let paths: Record<string, Record<string, Operation>>;

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
    ({ paths } = await app.expect<{ paths: typeof paths }>(200, "GET", "/api/docs/json"));
  });
  afterAll(() => app.close());

  test("/api/docs serves a readable page", async () => {
    const response = await app.request("GET", "/api/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/html");
    expect(await response.text()).toContain("Rhizome API");
  });

  test("/api/docs loads nothing from another origin, and says so in its CSP", async () => {
    const response = await app.request("GET", "/api/docs");
    const html = await response.text();
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\ssrc="\/api\/docs\/[^"]+"/);
      expect(body?.trim()).toBe("");
    }
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/(^|; )script-src 'self'(;|$)/);
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toMatch(/https?:/);
  });

  test("the viewer's script is served from our origin, as JavaScript", async () => {
    const html = await (await app.request("GET", "/api/docs")).text();
    for (const [, src] of html.matchAll(/<script\b[^>]*\ssrc="([^"]+)"/gi)) {
      const response = await app.request("GET", src as string);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toStartWith("text/javascript");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await response.text()).toContain("/api/docs/json");
    }
  });

  test("/api/docs/json lists every route of the contract, and marks those that need a session", () => {
    for (const [method, path, auth] of CONTRACT) {
      const operation = paths[path]?.[method];
      expect(operation ? `${method} ${path}` : `missing: ${method} ${path}`).toBe(
        `${method} ${path}`,
      );
      expect(Boolean(operation?.security?.length)).toBe(auth);
    }
  });

  test("request bodies are documented as JSON with their fields", () => {
    const body = paths["/api/spaces/{id}/intentions"]?.post?.requestBody;
    expect(Object.keys(body?.content ?? {})).toEqual(["application/json"]);
    expect(Object.keys(body?.content["application/json"]?.schema.properties ?? {})).toEqual([
      "id",
      "content",
    ]);
  });
});
