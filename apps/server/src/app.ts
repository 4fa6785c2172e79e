import { openapi } from "@elysiajs/openapi";
import { BEARER_PREFIX, HEADERS, isUuid, SESSION_COOKIE, SYNC_EVENT_TYPE } from "@rhizome/protocol";
import { FormatRegistry } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { StreamService } from "./access/streams.ts";
import type { AppContext } from "./context.ts";
import { authRoutes } from "./features/auth/index.ts";
import { authentication } from "./features/auth/plugin.ts";
import { AuthService } from "./features/auth/service.ts";
import { beingRoutes } from "./features/beings/index.ts";
import { BeingsService } from "./features/beings/service.ts";
import { healthRoutes } from "./features/health/index.ts";
import { intentionRoutes } from "./features/intentions/index.ts";
import { IntentionsService } from "./features/intentions/service.ts";
import { spaceRoutes } from "./features/spaces/index.ts";
import { SpacesService } from "./features/spaces/service.ts";
import { streamRoutes } from "./features/stream/index.ts";
import { accessLog } from "./http/access-log.ts";
import { bodyLimit } from "./http/body-limit.ts";
import { docsPage } from "./http/docs-page.ts";
import { errorHandler } from "./http/error-handler.ts";
import { securityHeaders } from "./http/security-headers.ts";
import { webApp } from "./http/web-app.ts";

/** The whole HTTP surface (served as OpenAPI at /api/docs), built from its dependencies. */
export function createApp(ctx: AppContext) {
  // @elysiajs/openapi re-registers TypeBox's global `uuid` format with a checker that builds
  // a zod schema per call (a quarter of a post's CPU): every id is checked by the pattern.
  FormatRegistry.Set("uuid", isUuid);
  const authService = new AuthService(ctx.db, ctx.limits, ctx.guard.sessions, ctx.hashGate);
  const auth = authentication(authService, () => ctx.guard.epoch, ctx.config.trustProxyHops);
  const spaces = new SpacesService(ctx.db, ctx.limits, (change) => ctx.guard.revoke(change));
  const streams = new StreamService(ctx.guard, ctx.fanout, (spaceId, beingId) =>
    spaces.access(spaceId, beingId),
  );
  const intentions = new IntentionsService(ctx.db, ctx.limits.writes, ctx.writeHooks);

  return (
    new Elysia()
      // First, so that it sees every request, even one an earlier hook answers.
      .use(
        accessLog({ enabled: ctx.config.logRequests, trustProxyHops: ctx.config.trustProxyHops }),
      )
      .use(securityHeaders)
      .use(errorHandler)
      .use(bodyLimit)
      .use(
        openapi({
          path: "/api/docs",
          // No bundled UI: it loads its script from a CDN. docsPage serves our own instead.
          provider: null,
          documentation: {
            info: {
              title: "Rhizome API",
              version: "1.0.0",
              description: `Spaces, intentions and beings, plus the \`${SYNC_EVENT_TYPE}\` stream. Authenticate with \`${HEADERS.authorization}: ${BEARER_PREFIX}<token>\` (from signup/signin) or the \`${SESSION_COOKIE}\` cookie.`,
            },
            components: {
              securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
            },
          },
          exclude: { paths: ["/*"] },
        }),
      )
      .use(docsPage("Rhizome API"))
      .use(healthRoutes(ctx.db, ctx.dbKind, ctx.fanout, ctx.config.metricsToken, ctx.instance))
      .use(authRoutes(authService, auth, ctx.config.trustProxyHops))
      .use(beingRoutes(new BeingsService(ctx.db, ctx.limits.writes), auth))
      .use(spaceRoutes(spaces, auth))
      .use(intentionRoutes(intentions, auth))
      .use(streamRoutes(streams, ctx.config.sync, auth))
      .use(webApp(ctx.config.webDir))
  );
}

/** The server's type, for Eden treaty clients (apps/web, bench, chaos). */
export type App = ReturnType<typeof createApp>;
