import { sql } from "drizzle-orm";
import { Elysia, t } from "elysia";
import type { Db, DbKind } from "../../db/client.ts";
import type { Fanout } from "../../sync/fanout.ts";

export function healthRoutes(db: Db, kind: DbKind, fanout: Fanout) {
  const { metrics } = fanout;
  return new Elysia({ tags: ["ops"] })
    .get(
      "/api/health",
      async ({ set }) => {
        const ok = await db.execute(sql`SELECT 1`).then(
          () => true,
          () => false,
        );
        if (!ok) set.status = 503;
        // Not ready while shutting down or full: a proxy then sends new streams elsewhere.
        return { ok, db: kind, ready: ok && fanout.accepting };
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
      () =>
        new Response(metrics.render(), {
          headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
        }),
      { detail: { summary: "Prometheus metrics of the sync engine" } },
    );
}
