/** Every protocol name a client or server needs, in one place. */

/** Bumped whenever the wire shape changes; `wire-shape.test.ts` enforces it. */
export const PROTOCOL_VERSION = 2;

/** The one SSE event type, for deltas, resets and heartbeats alike. */
export const SYNC_EVENT_TYPE = "space-delta";

export const API_PREFIX = "/api";

export const ROUTES = {
  stream: "/api/stream",
} as const;

export const QUERY_PARAMS = {
  spaceId: "spaceId",
  since: "since",
  before: "before",
  limit: "limit",
} as const;

export const HEADERS = {
  lastEventId: "Last-Event-ID",
  authorization: "Authorization",
  retryAfter: "Retry-After",
  cacheControl: "Cache-Control",
  accelBuffering: "X-Accel-Buffering",
  contentType: "Content-Type",
  /** On a stream's response: the server's heartbeat interval, to size the client's watchdog. */
  heartbeatMs: "X-Heartbeat-Ms",
} as const;

export const SESSION_COOKIE = "rz_session";
export const BEARER_PREFIX = "Bearer ";

export const SSE_CONTENT_TYPE = "text/event-stream";
export const SSE_CACHE_CONTROL = "no-cache, no-transform";

export const ERROR_CODES = {
  invalid: "invalid",
  unauthorized: "unauthorized",
  forbidden: "forbidden",
  notFound: "not_found",
  conflict: "conflict",
  tooLarge: "too_large",
  rateLimited: "rate_limited",
  /** The instance cannot take this now (at capacity, shutting down): retry after `Retry-After`. */
  unavailable: "unavailable",
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/**
 * The code of a 500's body: our bug, never the client's. Outside `ERROR_CODES` because the
 * contract (docs/PROTOCOL.md) lists only the codes a client can act on.
 */
export const INTERNAL_ERROR_CODE = "internal";

/** The status of every code an error body can carry. */
export const ERROR_STATUS: Record<ErrorCode | typeof INTERNAL_ERROR_CODE, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export const LIMITS = {
  contentMax: 4000,
  spaceNameMax: 80,
  handlePattern: "^[a-z0-9_]{3,32}$",
  passwordMin: 8,
  passwordMax: 200,
  nameMax: 80,
  colorPattern: "^#[0-9a-fA-F]{6}$",
  historyLimitMax: 100,
  /**
   * Text that shows something: one character that is neither white space nor invisible
   * (zero-width and format characters, fillers, blank braille, variation selectors).
   */
  visibleTextPattern:
    "[^\\s\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\u2800\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0]",
} as const;

/** Defaults of the wire behaviour a client can rely on (the server's config may differ). */
export const DEFAULTS = {
  pageSize: 50,
  catchupLimit: 50,
  heartbeatMs: 15_000,
  /** A client reconnects when no frame came for this many heartbeats. */
  watchdogHeartbeats: 2.5,
  groupWindowMs: 5 * 60_000,
} as const;
