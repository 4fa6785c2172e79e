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

export type StreamRequest = { spaceId: string; since: Cursor | undefined };

/** The outcome of opening a stream: its messages, or the HTTP refusal. */
export type OpenedStream =
  | { ok: true; messages: AsyncIterable<SseMessage>; heartbeatMs?: number }
  | { ok: false; status: number; retryAfterMs: number | undefined };

/** Opens a space's stream; aborting `signal` ends it. Network failures reject. */
export type StreamTransport = (
  request: StreamRequest,
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
    const headers: Record<string, string> = { accept: SSE_CONTENT_TYPE };
    if (options.token) headers[HEADERS.authorization] = `${BEARER_PREFIX}${options.token}`;
    const response = await doFetch(`${options.baseUrl ?? ""}${ROUTES.stream}?${params}`, {
      headers,
      signal,
      credentials: "same-origin",
      cache: "no-store",
    });
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
