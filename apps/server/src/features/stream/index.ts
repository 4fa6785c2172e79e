import {
  ERROR_CODES,
  HEADERS,
  SSE_CACHE_CONTROL,
  SSE_CONTENT_TYPE,
  SYNC_EVENT_TYPE,
} from "@rhizome/protocol";
import { Elysia } from "elysia";
import type { AccessGuard } from "../../access/guard.ts";
import { requireRealCursor } from "../../http/cursor.ts";
import { ApiError, fail, isFailure, unauthorized, unwrap } from "../../http/failure.ts";
import type { Fanout } from "../../sync/fanout.ts";
import { type Authentication, REVOKED } from "../auth/plugin.ts";
import type { SpacesService } from "../spaces/service.ts";
import { StreamQuery } from "./model.ts";

const SSE_HEADERS = {
  "content-type": SSE_CONTENT_TYPE,
  "cache-control": SSE_CACHE_CONTROL,
  "x-accel-buffering": "no",
  connection: "keep-alive",
};

/** `?since` wins; otherwise a native EventSource's `Last-Event-ID` resumes the stream. */
function resumeCursor(since: string | undefined, request: Request): string | undefined {
  if (since !== undefined) {
    requireRealCursor(since, "query since");
    return since;
  }
  const header = request.headers.get(HEADERS.lastEventId);
  if (header === null || header === "") return undefined;
  requireRealCursor(header, `header ${HEADERS.lastEventId}`);
  return header;
}

export function streamRoutes(
  spaces: SpacesService,
  fanout: Fanout,
  guard: AccessGuard,
  auth: Authentication,
) {
  return new Elysia({ prefix: "/api", tags: ["sync"] }).use(auth).get(
    "/stream",
    async ({ query, request, server, being, sessionKey, sessionIsLive, accessEpoch }) => {
      const since = resumeCursor(query.since, request);
      const { spaceId } = query;
      // Cached, so that a reconnect storm costs no query per stream.
      unwrap(await guard.canRead(spaceId, being.id, () => spaces.access(spaceId, being.id)));
      const opened = fanout.open({ spaceId, beingId: being.id, sessionKey }, since);
      if (!opened.ok) {
        throw new ApiError(
          opened.reason === "too-many-streams"
            ? fail(ERROR_CODES.rateLimited, "too many open streams for this being", 5)
            : fail(ERROR_CODES.rateLimited, "this instance is shutting down, reconnect", 1),
        );
      }
      const { subscriber } = opened;
      // A cut-off reader that never reads would keep its socket (and megabytes of kernel
      // buffer) forever: once cut, the connection gets a short idle timeout instead.
      subscriber.onClose((reason) => {
        if (reason === "slow-consumer") server?.timeout(request, 2);
      });
      // Attached first, so that a client gone during the re-check below is not held open.
      request.signal.addEventListener("abort", () => subscriber.close("client-gone"), {
        once: true,
      });
      if (request.signal.aborted) subscriber.close("client-gone");
      // A revocation heard after the checks above but before `open` found no stream to close;
      // any later one will. Only if one was heard meanwhile, ask the database once more.
      if (guard.epoch !== accessEpoch) {
        const refusal = await Promise.all([sessionIsLive(), spaces.access(spaceId, being.id)]).then(
          ([live, access]) =>
            isFailure(access) ? access : live ? undefined : unauthorized(REVOKED),
          (error: unknown) => {
            subscriber.close("error");
            throw error;
          },
        );
        if (refusal) {
          subscriber.close("revoked");
          throw new ApiError(refusal);
        }
      }
      // Streams must outlive Bun's idle timer; heartbeats keep proxies from closing them.
      server?.timeout(request, 0);
      return new Response(subscriber.stream, {
        headers: {
          ...SSE_HEADERS,
          [HEADERS.heartbeatMs.toLowerCase()]: String(fanout.heartbeatMs),
        },
      });
    },
    {
      auth: true,
      query: StreamQuery,
      detail: {
        summary: `The space's delta stream (${SSE_CONTENT_TYPE}, event \`${SYNC_EVENT_TYPE}\`)`,
        description: `See docs/PROTOCOL.md. Resume with \`since\` or the ${HEADERS.lastEventId} header.`,
      },
    },
  );
}
