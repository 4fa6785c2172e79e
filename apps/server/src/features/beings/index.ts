import { Elysia } from "elysia";
import { unwrap } from "../../http/api-error.ts";
import type { Authentication } from "../auth/plugin.ts";
import { BeingParams, BeingResponse, HandleQuery, ProfileBody } from "./model.ts";
import type { BeingsService } from "./service.ts";

export function beingRoutes(service: BeingsService, auth: Authentication) {
  return (
    new Elysia({ prefix: "/api", tags: ["beings"] })
      .use(auth)
      // Read afresh: the session's being may come from the session cache, a name ago.
      .get("/me", async ({ being }) => ({ being: unwrap(await service.get(being.id)) }), {
        auth: true,
        response: { 200: BeingResponse },
        detail: { summary: "The signed-in being" },
      })
      .patch(
        "/me",
        async ({ being, body }) => ({ being: unwrap(await service.updateProfile(being.id, body)) }),
        {
          auth: true,
          body: ProfileBody,
          response: { 200: BeingResponse },
          detail: { summary: "Change name or colour" },
        },
      )
      .get(
        "/beings",
        async ({ query }) => ({ being: unwrap(await service.byHandle(query.handle)) }),
        {
          auth: true,
          query: HandleQuery,
          response: { 200: BeingResponse },
          detail: { summary: "Find a being by handle (to invite them)" },
        },
      )
      .get("/beings/:id", async ({ params }) => ({ being: unwrap(await service.get(params.id)) }), {
        auth: true,
        params: BeingParams,
        response: { 200: BeingResponse },
        detail: { summary: "A being's public profile" },
      })
  );
}
