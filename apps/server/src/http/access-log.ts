import { HEADERS, SSE_CONTENT_TYPE } from "@rhizome/protocol";
import { Elysia, StatusMap } from "elysia";
import { requestAddress } from "./client-address.ts";

/**
 * One JSON line per request (LOG_REQUESTS=1). Only what an operator needs to follow traffic:
 * never a query string's values (a token may be in one), a header's value other than the
 * request id, a cookie, or a body. A stream is logged once, when it ends, with how long it
 * was open, the bytes it sent and how it ended.
 */
export type AccessLogLine = {
  /** When the request arrived (ISO 8601, UTC). */
  time: string;
  method: string;
  path: string;
  /** The query's parameter names, without their values. */
  query?: string[];
  status: number;
  durationMs: number;
  /** Body bytes, where known: a stream counts what it sent, a response its Content-Length. */
  bytes?: number;
  /** The client's address as the trusted proxies saw it (TRUST_PROXY_HOPS). */
  remote: string;
  /** The proxy's X-Request-Id (nginx `$request_id`, Caddy `{http.request.uuid}`). */
  requestId?: string;
  /** A stream only: `closed` by the server, `cut` (an error, e.g. a slow consumer), `client-gone`. */
  stream?: StreamEnd;
};

export type StreamEnd = "closed" | "cut" | "client-gone";

const REQUEST_ID = "x-request-id";
/** A request id is logged only if it looks like one: no room for a smuggled secret or a newline. */
const REQUEST_ID_SHAPE = /^[A-Za-z0-9._:-]{1,128}$/;

type Arrival = { at: number; time: string; remote: string };

export type AccessLogOptions = {
  enabled: boolean;
  trustProxyHops: number;
  /** Where lines go; stdout by default. */
  write?: (line: string) => void;
};

/** Off: an empty plugin, so that the default costs nothing per request. */
export function accessLog(options: AccessLogOptions) {
  const plugin = new Elysia({ name: "access-log" });
  if (!options.enabled) return plugin;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const arrivals = new WeakMap<Request, Arrival>();
  const streams = new WeakSet<Request>();

  const emit = (
    request: Request,
    status: number,
    bytes: number | undefined,
    stream?: StreamEnd,
  ) => {
    const arrival = arrivals.get(request);
    const url = new URL(request.url);
    const names = [...new Set(url.searchParams.keys())];
    const requestId = request.headers.get(REQUEST_ID);
    const line: AccessLogLine = {
      time: arrival?.time ?? new Date().toISOString(),
      method: request.method,
      path: url.pathname,
      ...(names.length > 0 ? { query: names } : {}),
      status,
      durationMs: arrival ? Math.round((performance.now() - arrival.at) * 10) / 10 : 0,
      ...(bytes === undefined ? {} : { bytes }),
      remote: arrival?.remote ?? "unknown",
      ...(requestId !== null && REQUEST_ID_SHAPE.test(requestId) ? { requestId } : {}),
      ...(stream === undefined ? {} : { stream }),
    };
    write(JSON.stringify(line));
  };

  return plugin
    .onRequest(({ request, server }) => {
      arrivals.set(request, {
        at: performance.now(),
        time: new Date().toISOString(),
        remote: requestAddress(request, server, options.trustProxyHops),
      });
    })
    .mapResponse({ as: "global" }, ({ request, responseValue }) => {
      if (!(responseValue instanceof Response) || !responseValue.body) return;
      const type = responseValue.headers.get(HEADERS.contentType) ?? "";
      if (!type.startsWith(SSE_CONTENT_TYPE)) return;
      streams.add(request);
      const { status } = responseValue;
      const body = countBytes(responseValue.body, (bytes, end) =>
        emit(request, status, bytes, end),
      );
      return new Response(body, { status, headers: responseValue.headers });
    })
    .onAfterResponse({ as: "global" }, ({ request, set, responseValue }) => {
      if (streams.has(request)) return;
      const response = responseValue instanceof Response ? responseValue : undefined;
      const length = response?.headers.get("content-length");
      emit(
        request,
        response?.status ?? statusCode(set.status),
        length
          ? Number(length)
          : typeof responseValue === "string"
            ? byteLength(responseValue)
            : undefined,
      );
    });
}

function statusCode(status: number | string | undefined): number {
  if (typeof status === "number") return status;
  return (status && StatusMap[status as keyof typeof StatusMap]) || 200;
}

const byteLength = (text: string) => Buffer.byteLength(text);

/**
 * The same bytes, pulled one chunk at a time as the socket asks (so the stream's own
 * backpressure and slow-consumer cut-off are unchanged), telling `ended` once how it ended.
 */
export function countBytes(
  body: ReadableStream<Uint8Array>,
  ended: (bytes: number, end: StreamEnd) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let bytes = 0;
  let finished = false;
  const finish = (end: StreamEnd) => {
    if (finished) return;
    finished = true;
    ended(bytes, end);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            finish("closed");
            controller.close();
            return;
          }
          bytes += value.byteLength;
          controller.enqueue(value);
        } catch (error) {
          finish("cut");
          controller.error(error);
        }
      },
      cancel(reason) {
        finish("client-gone");
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
