import { HEADERS } from "@rhizome/protocol";
import { Elysia, t } from "elysia";
import { ping } from "../../data/health.ts";
import type { Db, DbKind } from "../../db/client.ts";
import { unauthorized } from "../../failure.ts";
import { errorResponse } from "../../http/api-error.ts";
import type { InstanceView } from "../../os/instance.ts";
import type { Fanout } from "../../sync/fanout.ts";
import { bearerMatches, totalsOnly } from "./metrics-access.ts";
import { metricsRegistry } from "./registry.ts";

/** `metricsToken` (METRICS_TOKEN): unset, /metrics is public with totals only; set, it is required. */
export function healthRoutes(
  db: Db,
  kind: DbKind,
  fanout: Fanout,
  metricsToken: string | undefined,
  /** The instance's processes: ready once all listen; a scrape sums them (SERVER_WORKERS). */
  instance: InstanceView,
) {
  const registry = metricsRegistry(fanout.metrics);
  instance.metrics.serve(registry);
  const { startup } = instance;
  return new Elysia({ tags: ["ops"] })
    .get(
      "/api/health",
      async ({ set }) => {
        const ok = await ping(db);
        if (!ok) set.status = 503;
        // Not ready while starting, shutting down or full: a proxy sends new streams elsewhere.
        return { ok, db: kind, ready: ok && fanout.accepting && startup.ready };
      },
      {
        response: {
          200: t.Object({
            ok: t.Boolean(),
            db: t.Union([t.Literal("pglite"), t.Literal("postgres")]),
            ready: t.Boolean(),
          }),
        },
        detail: {
          summary: "Liveness (`ok`), readiness for new streams (`ready`) and the database in use",
        },
      },
    )
    .get(
      "/metrics",
      async ({ request }) => {
        const authorization = request.headers.get(HEADERS.authorization);
        if (metricsToken !== undefined && !bearerMatches(authorization, metricsToken)) {
          return errorResponse(unauthorized("/metrics needs the METRICS_TOKEN bearer token"));
        }
        const text = await instance.metrics.text();
        return new Response(metricsToken === undefined ? totalsOnly(text) : text, {
          headers: { [HEADERS.contentType]: registry.contentType },
        });
      },
      {
        detail: {
          summary:
            "Prometheus metrics of the sync engine (totals only unless METRICS_TOKEN is set)",
        },
      },
    );
}
