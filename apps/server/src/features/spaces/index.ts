import { Elysia } from "elysia";
import { unwrap } from "../../http/api-error.ts";
import { requireRealCursor } from "../../http/cursor.ts";
import type { Authentication } from "../auth/plugin.ts";
import {
  AddMemberBody,
  BeingsResponse,
  CreateSpaceBody,
  MemberParams,
  MemberResponse,
  ReadBody,
  SpaceParams,
  SpaceResponse,
  SpacesResponse,
} from "./model.ts";
import type { SpacesService } from "./service.ts";

export function spaceRoutes(service: SpacesService, auth: Authentication) {
  return new Elysia({ prefix: "/api/spaces", tags: ["spaces"] })
    .use(auth)
    .post(
      "",
      async ({ being, body, set }) => {
        const space = unwrap(await service.create(being.id, body));
        set.status = 201;
        return { space };
      },
      {
        auth: true,
        body: CreateSpaceBody,
        response: { 201: SpaceResponse },
        detail: { summary: "Create a space (you own it)" },
      },
    )
    .get("", async ({ being }) => ({ spaces: await service.list(being.id) }), {
      auth: true,
      response: { 200: SpacesResponse },
      detail: { summary: "Public spaces and yours" },
    })
    .get(
      "/:id",
      async ({ being, params }) => ({
        space: unwrap(await service.access(params.id, being.id)).space,
      }),
      {
        auth: true,
        params: SpaceParams,
        response: { 200: SpaceResponse },
        detail: { summary: "One space" },
      },
    )
    .post(
      "/:id/join",
      async ({ being, params }) => ({ space: unwrap(await service.join(params.id, being.id)) }),
      {
        auth: true,
        params: SpaceParams,
        response: { 200: SpaceResponse },
        detail: { summary: "Join a public space" },
      },
    )
    .post(
      "/:id/members",
      async ({ being, params, body, set }) => {
        const result = unwrap(await service.addMember(params.id, being.id, body.beingId));
        // The API answers 201 either way: adding a member again is not an error.
        set.status = 201;
        return { spaceId: params.id, beingId: body.beingId, role: result.role };
      },
      {
        auth: true,
        params: SpaceParams,
        body: AddMemberBody,
        response: { 201: MemberResponse },
        detail: { summary: "Add a member (owner only); adding one again changes nothing" },
      },
    )
    .delete(
      "/:id/members/:beingId",
      async ({ being, params, set }) => {
        unwrap(await service.removeMember(params.id, being.id, params.beingId));
        set.status = 204;
      },
      {
        auth: true,
        params: MemberParams,
        detail: { summary: "Remove a member (owner), or leave" },
      },
    )
    .put(
      "/:id/read",
      async ({ sessionKey, params, body, set }) => {
        requireRealCursor(body.cursor, "body cursor");
        unwrap(await service.markRead(params.id, sessionKey, body.cursor));
        set.status = 204;
      },
      {
        // One statement checks the session, the access and the limit (one round trip).
        statementAuth: true,
        params: SpaceParams,
        body: ReadBody,
        detail: {
          summary:
            "Move your read marker forward to a cursor (never back; past the head: the head)",
        },
      },
    )
    .get(
      "/:id/beings",
      async ({ being, params }) => ({ beings: unwrap(await service.beings(params.id, being.id)) }),
      {
        auth: true,
        params: SpaceParams,
        response: { 200: BeingsResponse },
        detail: { summary: "The members of a space, for avatars" },
      },
    );
}
