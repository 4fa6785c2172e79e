import { HEADERS, SSE_CACHE_CONTROL, SSE_CONTENT_TYPE, SYNC_EVENT_TYPE } from "@rhizome/protocol";
import { Elysia } from "elysia";
import type { StreamService } from "../../access/streams.ts";
import { unwrap } from "../../http/api-error.ts";
import { requireRealCursor } from "../../http/cursor.ts";
import type { Authentication } from "../auth/plugin.ts";
import { StreamQuery } from "./model.ts";

const SSE_HEADERS = {
  [HEADERS.contentType.toLowerCase()]: SSE_CONTENT_TYPE,
  [HEADERS.cacheControl.toLowerCase()]: SSE_CACHE_CONTROL,
  [HEADERS.accelBuffering.toLowerCase()]: "no",
  connection: "keep-alive",
};

/**
 * `Last-Event-ID` wins over `?since`: only a reconnecting EventSource sends it, and its URL
 * still carries the `since` it was first opened with (docs/PROTOCOL.md §4).
 */
function resumeCursor(since: string | undefined, request: Request): string | undefined {
  const header = request.headers.get(HEADERS.lastEventId);
  if (header !== null && header !== "") {
    requireRealCursor(header, `header ${HEADERS.lastEventId}`);
    return header;
  }
  requireRealCursor(since, "query since");
  return since;
}

export function streamRoutes(streams: StreamService, heartbeatMs: number, auth: Authentication) {
  return new Elysia({ prefix: "/api", tags: ["sync"] }).use(auth).get(
    "/stream",
    async ({
      query,
      request,
      server,
      being,
      sessionKey,
      clientKey,
      sessionIsLive,
      accessEpoch,
    }) => {
      const subscriber = unwrap(
        await streams.open({
          spaceId: query.spaceId,
          beingId: being.id,
          sessionKey,
          address: clientKey,
          since: resumeCursor(query.since, request),
          accessEpoch,
          sessionIsLive,
          signal: request.signal,
        }),
      );
      // A cut-off reader that never reads would keep its socket (and megabytes of kernel
      // buffer) forever: once cut, the connection gets a short idle timeout instead.
      subscriber.onClose((reason) => {
        if (reason === "slow-consumer") server?.timeout(request, 2);
      });
      // Streams must outlive Bun's idle timer; heartbeats keep proxies from closing them.
      server?.timeout(request, 0);
      return new Response(subscriber.stream, {
        headers: { ...SSE_HEADERS, [HEADERS.heartbeatMs.toLowerCase()]: String(heartbeatMs) },
      });
    },
    {
      streamAuth: true,
      query: StreamQuery,
      detail: {
        summary: `The space's delta stream (${SSE_CONTENT_TYPE}, event \`${SYNC_EVENT_TYPE}\`)`,
        description: `See docs/PROTOCOL.md. Resume with \`since\` or the ${HEADERS.lastEventId} header.`,
      },
    },
  );
}
