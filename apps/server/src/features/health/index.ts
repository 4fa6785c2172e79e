import { sql } from "drizzle-orm";
import { Elysia, t } from "elysia";
import type { Db, DbKind } from "../../db/client.ts";
import type { SyncMetrics } from "../../sync/metrics.ts";

export function healthRoutes(db: Db, kind: DbKind, metrics: SyncMetrics) {
  return new Elysia({ tags: ["ops"] })
    .get(
      "/api/health",
      async ({ set }) => {
        const ok = await db.execute(sql`SELECT 1`).then(
          () => true,
          () => false,
        );
        if (!ok) set.status = 503;
        return { ok, db: kind };
      },
      {
        response: {
          200: t.Object({
            ok: t.Boolean(),
            db: t.Union([t.Literal("pglite"), t.Literal("postgres")]),
          }),
        },
        detail: { summary: "Liveness and the database in use" },
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
