import { existsSync, statSync } from "node:fs";
import { join, normalize } from "node:path";
import { ERROR_CODES, HEADERS } from "@rhizome/protocol";
import { Elysia } from "elysia";
import { errorBody } from "./api-error.ts";
import { htmlPolicy, SECURITY_HEADERS } from "./security-headers.ts";

/** Elysia keys `set.headers` in lower case. */
const CACHE_CONTROL = HEADERS.cacheControl.toLowerCase();

/**
 * Serves the built single-page app from `dir`: files as they are, and the SPA's
 * fallback page for any other path outside /api, so that deep links load the app.
 */
export function webApp(dir: string | undefined) {
  const plugin = new Elysia({ name: "web-app" });
  if (!dir || !existsSync(dir)) return plugin;
  const fallback = ["200.html", "index.html"].map((name) => join(dir, name)).find(existsSync);
  return plugin.get(
    "/*",
    ({ params, set }) => {
      const path = normalize(`/${params["*"] ?? ""}`);
      if (path.startsWith("/api/") || path === "/api") {
        set.status = 404;
        return errorBody(ERROR_CODES.notFound, "no such route");
      }
      const file = join(dir, path);
      if (file.startsWith(dir) && existsSync(file) && statSync(file).isFile()) {
        const immutable = path.startsWith("/_app/immutable/");
        set.headers[CACHE_CONTROL] = immutable ? "public, max-age=31536000, immutable" : "no-cache";
        if (file.endsWith(".html"))
          set.headers[SECURITY_HEADERS.contentSecurityPolicy] = htmlPolicy(file);
        return Bun.file(file);
      }
      set.headers[CACHE_CONTROL] = "no-cache";
      if (!fallback) return new Response("not built", { status: 404 });
      set.headers[SECURITY_HEADERS.contentSecurityPolicy] = htmlPolicy(fallback);
      return Bun.file(fallback);
    },
    { detail: { hide: true } },
  );
}
