import {
  BEARER_PREFIX,
  type Cursor,
  HEADERS,
  parseRetryAfter,
  QUERY_PARAMS,
  ROUTES,
  SSE_CONTENT_TYPE,
} from "@rhizome/protocol";
import { type SseMessage, SseParser } from "./sse-parser.ts";

/** A media type, not one of our protocol names (those live in the protocol's constants). */
const JSON_CONTENT_TYPE = "application/json";

export type StreamRequest = { spaceId: string; since: Cursor | undefined };

/** One entry of a multi-space stream's body (DESIGN §6.1). */
export type SpaceSubscription = { spaceId: string; since?: Cursor; page?: number };
export type MultiStreamRequest = { spaces: SpaceSubscription[] };

/** The outcome of opening a stream: its messages, or the HTTP refusal. */
export type OpenedStream =
  | { ok: true; messages: AsyncIterable<SseMessage>; heartbeatMs?: number }
  | { ok: false; status: number; retryAfterMs: number | undefined };

/** Opens a space's stream; aborting `signal` ends it. Network failures reject. */
export type StreamTransport = (
  request: StreamRequest,
  signal: AbortSignal,
) => Promise<OpenedStream>;

/** Opens one stream for many spaces (`POST` to the stream route); as `StreamTransport`. */
export type MultiStreamTransport = (
  request: MultiStreamRequest,
  signal: AbortSignal,
) => Promise<OpenedStream>;

export type FetchTransportOptions = {
  /** Origin of the API, e.g. `http://localhost:3000`; empty for same-origin (browsers). */
  baseUrl?: string;
  /** Bearer token; browsers leave it out and send the session cookie. */
  token?: string;
  fetch?: typeof fetch;
};

/** The stream over `fetch`, for browsers and Bun alike (unlike EventSource, it sees HTTP statuses). */
export function fetchTransport(options: FetchTransportOptions = {}): StreamTransport {
  const doFetch = options.fetch ?? fetch;
  return async (request, signal) => {
    const params = new URLSearchParams({ [QUERY_PARAMS.spaceId]: request.spaceId });
    if (request.since) params.set(QUERY_PARAMS.since, request.since);
    const response = await doFetch(`${options.baseUrl ?? ""}${ROUTES.stream}?${params}`, {
      headers: streamHeaders(options),
      signal,
      credentials: "same-origin",
      cache: "no-store",
    });
    return opened(response);
  };
}

/** The multi-space stream over `fetch`: a POST, since a native EventSource cannot send a body. */
export function fetchMultiTransport(options: FetchTransportOptions = {}): MultiStreamTransport {
  const doFetch = options.fetch ?? fetch;
  return async (request, signal) => {
    const response = await doFetch(`${options.baseUrl ?? ""}${ROUTES.stream}`, {
      method: "POST",
      headers: { ...streamHeaders(options), [HEADERS.contentType]: JSON_CONTENT_TYPE },
      body: JSON.stringify(request),
      signal,
      credentials: "same-origin",
      cache: "no-store",
    });
    return opened(response);
  };
}

function streamHeaders(options: FetchTransportOptions): Record<string, string> {
  const headers: Record<string, string> = { accept: SSE_CONTENT_TYPE };
  if (options.token) headers[HEADERS.authorization] = `${BEARER_PREFIX}${options.token}`;
  return headers;
}

async function opened(response: Response): Promise<OpenedStream> {
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => {});
    return {
      ok: false,
      status: response.status,
      retryAfterMs: parseRetryAfter(response.headers.get(HEADERS.retryAfter), Date.now()),
    };
  }
  const heartbeat = response.headers.get(HEADERS.heartbeatMs);
  const heartbeatMs = heartbeat && /^\d+$/.test(heartbeat) ? Number(heartbeat) : undefined;
  return {
    ok: true,
    messages: readMessages(response.body),
    ...(heartbeatMs ? { heartbeatMs } : {}),
  };
}

async function* readMessages(body: ReadableStream<Uint8Array>): AsyncIterable<SseMessage> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      yield* parser.feed(decoder.decode(value, { stream: true }));
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => {});
  }
}
