import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { findProxyBinary } from "./proxy-binaries.ts";
import { CADDYFILE, NGINX_CONF, NGINX_PLACEHOLDERS, renderTemplate } from "./reverse-proxy.ts";

describe("proxy binaries", () => {
  test("NGINX_PATH pointing nowhere: one line naming it and the fix, never a fallback", () => {
    const found = findProxyBinary("nginx", { NGINX_PATH: "/nonexistent/nginx", PATH: "/usr/sbin" });
    expect(found.ok).toBe(false);
    if (found.ok) return;
    expect(found.message.split("\n")).toHaveLength(1);
    expect(found.message).toContain("NGINX_PATH=/nonexistent/nginx is not an executable file");
    expect(found.message).toContain("bun run setup:proxy");
    expect(found.message).toContain("apt-get install -y nginx");
  });

  test("no Caddy anywhere: says how to install it or set CADDY_PATH", () => {
    const found = findProxyBinary("caddy", { PATH: "/nonexistent" });
    // Where Debian's Caddy is installed, /usr/bin/caddy is found whatever the PATH.
    if (found.ok) expect(found.path).toBe("/usr/bin/caddy");
    else {
      expect(found.message).toContain("no caddy found");
      expect(found.message).toContain("apt-get install -y caddy");
      expect(found.message).toContain("CADDY_PATH");
    }
  });

  test("a path naming an executable is used as it is", () => {
    expect(findProxyBinary("caddy", { CADDY_PATH: process.execPath })).toEqual({
      ok: true,
      path: process.execPath,
    });
  });
});

describe("deploy/ configs", () => {
  const nginx = readFileSync(NGINX_CONF, "utf8");

  test("nginx.conf's placeholders are exactly the ones the test fills and its header lists", () => {
    const used = new Set([...nginx.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((match) => match[1]));
    expect([...used].sort()).toEqual([...NGINX_PLACEHOLDERS].sort());
    const envsubst = /envsubst '([^']+)'/.exec(nginx)?.[1] ?? "";
    expect(envsubst.split(/\s+/).sort()).toEqual(
      NGINX_PLACEHOLDERS.map((name) => `$${name}`).sort(),
    );
  });

  test("rendering fills every placeholder and refuses an unknown one", () => {
    const values = Object.fromEntries(NGINX_PLACEHOLDERS.map((name) => [name, `<${name}>`]));
    const rendered = renderTemplate(nginx, values);
    expect(rendered).not.toMatch(/\$\{[A-Z0-9_]+\}/);
    expect(rendered).toContain("server <UPSTREAM_1> ");
    // nginx's own variables are left alone.
    expect(rendered).toContain("proxy_set_header Host $http_host;");
    const unknown = "$" + "{NOPE}"; // a placeholder the test does not fill
    expect(() => renderTemplate(`listen ${unknown};`, values)).toThrow(`no value for ${unknown}`);
  });

  test("the settings the issue learned the hard way are in both configs", () => {
    expect(nginx).toContain("proxy_set_header Host $http_host;");
    expect(nginx).toContain("proxy_set_header X-Forwarded-Proto $scheme;");
    expect(nginx).toMatch(/location = \/api\/stream \{[^}]*proxy_buffering off;/);
    expect(nginx).toMatch(/location = \/api\/stream \{[^}]*gzip off;/);
    expect(nginx).not.toMatch(/^\s*proxy_ignore_headers/m);
    expect(nginx).toMatch(/listen \$\{HTTPS_PORT\} ssl http2;/);
    const caddy = readFileSync(CADDYFILE, "utf8");
    expect(caddy).toContain("health_uri /api/health");
    expect(caddy).toContain("@compressible not path /api/stream");
    expect(caddy).toContain("protocols h1 h2");
  });
});
