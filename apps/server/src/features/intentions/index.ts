import { Elysia } from "elysia";
import { unwrap } from "../../http/api-error.ts";
import { requireRealCursor } from "../../http/cursor.ts";
import type { Authentication } from "../auth/plugin.ts";
import { SpaceParams } from "../spaces/model.ts";
import {
  EditBody,
  HistoryQuery,
  HistoryResponse,
  IntentionParams,
  IntentionResponse,
  PostBody,
} from "./model.ts";
import type { IntentionsService } from "./service.ts";

export function intentionRoutes(service: IntentionsService, auth: Authentication) {
  return new Elysia({ prefix: "/api", tags: ["intentions"] })
    .use(auth)
    .post(
      "/spaces/:id/intentions",
      async ({ sessionKey, params, body, set }) => {
        const result = unwrap(await service.post(params.id, sessionKey, body));
        set.status = result.created ? 201 : 200;
        return { intention: result.intention };
      },
      {
        // The post's one statement checks the session, membership and limit (one round trip).
        statementAuth: true,
        params: SpaceParams,
        body: PostBody,
        response: { 200: IntentionResponse, 201: IntentionResponse },
        detail: { summary: "Post an intention (members only; idempotent with a client-made id)" },
      },
    )
    .get(
      "/spaces/:id/intentions",
      async ({ sessionKey, params, query }) => {
        requireRealCursor(query.before, "query before");
        return unwrap(await service.history(params.id, sessionKey, query));
      },
      {
        // One statement checks the session and the access and reads the page.
        statementAuth: true,
        params: SpaceParams,
        query: HistoryQuery,
        response: { 200: HistoryResponse },
        detail: {
          summary: "A page of history: live intentions created before `before`, oldest first",
        },
      },
    )
    .patch(
      "/intentions/:id",
      async ({ sessionKey, params, body }) => ({
        intention: unwrap(await service.edit(params.id, sessionKey, body.content)),
      }),
      {
        statementAuth: true,
        params: IntentionParams,
        body: EditBody,
        response: { 200: IntentionResponse },
        detail: { summary: "Edit your intention" },
      },
    )
    .delete(
      "/intentions/:id",
      async ({ sessionKey, params, set }) => {
        unwrap(await service.delete(params.id, sessionKey));
        set.status = 204;
      },
      {
        statementAuth: true,
        params: IntentionParams,
        detail: { summary: "Delete (author or space owner)" },
      },
    );
}
