import { HEADERS, SSE_CACHE_CONTROL, SSE_CONTENT_TYPE, SYNC_EVENT_TYPE } from "@rhizome/protocol";
import type { Server } from "bun";
import { Elysia } from "elysia";
import type { StreamRequest, StreamService } from "../../access/streams.ts";
import { invalid } from "../../failure.ts";
import { ApiError, unwrap } from "../../http/api-error.ts";
import { requireRealCursor } from "../../http/cursor.ts";
import type { Authentication } from "../auth/plugin.ts";
import { MultiStreamBody, StreamQuery } from "./model.ts";

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

/** Checks a multi-space body past its schema: the configured cap, distinct spaces, real cursors. */
function checkEntries(spaces: typeof MultiStreamBody.static.spaces, maxSpaces: number): void {
  if (spaces.length > maxSpaces) {
    throw new ApiError(invalid(`body spaces: at most ${maxSpaces} spaces per stream`));
  }
  const seen = new Set<string>();
  for (const [index, entry] of spaces.entries()) {
    if (seen.has(entry.spaceId)) {
      throw new ApiError(invalid(`body spaces: ${entry.spaceId} is listed twice`));
    }
    seen.add(entry.spaceId);
    requireRealCursor(entry.since, `body spaces[${index}].since`);
  }
}

/** What a stream route's handler knows of its caller, from the context. */
type Caller = {
  request: Request;
  server: Server<unknown> | null;
  being: { id: string };
  sessionKey: string;
  clientKey: string;
  sessionIsLive: () => Promise<boolean>;
  accessEpoch: number;
};

/**
 * A cut-off reader that never reads would keep its socket (and megabytes of kernel buffer)
 * forever: once cut, the connection gets a short idle timeout instead. Its own (not async)
 * scope: a listener made inside an async function keeps that function's whole frame alive,
 * here the request's context and body, for as long as the stream is open.
 */
function shortenIdleWhenCutOff(
  subscriber: { onClose(listener: (reason: string) => void): void },
  request: Request,
  server: Server<unknown> | null,
): void {
  subscriber.onClose((reason) => {
    if (reason === "slow-consumer") server?.timeout(request, 2);
  });
}

export function streamRoutes(
  streams: StreamService,
  settings: { heartbeatMs: number; maxSpacesPerStream: number },
  auth: Authentication,
) {
  const headers = {
    ...SSE_HEADERS,
    [HEADERS.heartbeatMs.toLowerCase()]: String(settings.heartbeatMs),
  };
  /** Opens the stream for the signed-in caller and answers it, outliving Bun's idle timer. */
  const openAndRespond = async (
    spaces: StreamRequest["spaces"],
    many: boolean,
    caller: Caller,
  ): Promise<Response> => {
    const { request, server, being, sessionKey, clientKey, sessionIsLive, accessEpoch } = caller;
    const subscriber = unwrap(
      await streams.open({
        spaces,
        many,
        beingId: being.id,
        sessionKey,
        address: clientKey,
        accessEpoch,
        sessionIsLive,
        signal: request.signal,
      }),
    );
    shortenIdleWhenCutOff(subscriber, request, server);
    // Heartbeats keep proxies from closing it.
    server?.timeout(request, 0);
    return new Response(subscriber.stream, { headers });
  };
  return new Elysia({ prefix: "/api", tags: ["sync"] })
    .use(auth)
    .get(
      "/stream",
      (caller) => {
        const since = resumeCursor(caller.query.since, caller.request);
        const entry = { spaceId: caller.query.spaceId, ...(since === undefined ? {} : { since }) };
        return openAndRespond([entry], false, caller);
      },
      {
        streamAuth: true,
        addressed: true,
        query: StreamQuery,
        detail: {
          summary: `The space's delta stream (${SSE_CONTENT_TYPE}, event \`${SYNC_EVENT_TYPE}\`)`,
          description: `See docs/PROTOCOL.md. Resume with \`since\` or the ${HEADERS.lastEventId} header (which wins).`,
        },
      },
    )
    .post(
      "/stream",
      (caller) => {
        checkEntries(caller.body.spaces, settings.maxSpacesPerStream);
        return openAndRespond(caller.body.spaces, true, caller);
      },
      {
        streamAuth: true,
        addressed: true,
        body: MultiStreamBody,
        detail: {
          summary: `One delta stream for many spaces (${SSE_CONTENT_TYPE}, event \`${SYNC_EVENT_TYPE}\`)`,
          description:
            "See docs/PROTOCOL.md. Each entry resumes from its own `since`; frames carry no id. 404 when any listed space is unreadable.",
        },
      },
    );
}
