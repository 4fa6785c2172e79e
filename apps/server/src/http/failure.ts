import {
  ERROR_CODES,
  ERROR_STATUS,
  type ErrorBody,
  type ErrorCode,
  HEADERS,
} from "@rhizome/protocol";

/** What a service returns instead of throwing when a request cannot be served. */
export type Failure = {
  readonly failure: ErrorCode;
  readonly message: string;
  /** Seconds, for `rate_limited` and `unavailable` (sent as Retry-After). */
  readonly retryAfter?: number;
};

export function fail(code: ErrorCode, message: string, retryAfter?: number): Failure {
  return retryAfter === undefined
    ? { failure: code, message }
    : { failure: code, message, retryAfter };
}

export function isFailure(value: unknown): value is Failure {
  return typeof value === "object" && value !== null && "failure" in value && "message" in value;
}

export const notFound = (what: string) => fail(ERROR_CODES.notFound, `${what} not found`);
export const forbidden = (message: string) => fail(ERROR_CODES.forbidden, message);
export const unauthorized = (message = "sign in first") => fail(ERROR_CODES.unauthorized, message);
/** A session that ended while a request was using it. */
export const revoked = () => unauthorized("the session has expired or was revoked");
export const invalid = (message: string) => fail(ERROR_CODES.invalid, message);
export const conflict = (message: string) => fail(ERROR_CODES.conflict, message);
export const rateLimited = (message: string, retryAfter: number) =>
  fail(ERROR_CODES.rateLimited, message, retryAfter);
export const unavailable = (message: string, retryAfter: number) =>
  fail(ERROR_CODES.unavailable, message, retryAfter);

/** Thrown by routes (never services): the error handler turns it into the contract's shape. */
export class ApiError extends Error {
  constructor(readonly detail: Failure) {
    super(detail.message);
  }

  get status(): number {
    return ERROR_STATUS[this.detail.failure];
  }
}

/** A service result, or the failure thrown for the error handler. */
export function unwrap<T>(result: T | Failure): T {
  if (isFailure(result)) throw new ApiError(result);
  return result;
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

export function errorResponse(detail: Failure): Response {
  const headers: Record<string, string> = {
    [HEADERS.contentType]: "application/json; charset=utf-8",
  };
  if (detail.retryAfter !== undefined) headers[HEADERS.retryAfter] = String(detail.retryAfter);
  return new Response(JSON.stringify(errorBody(detail.failure, detail.message)), {
    status: ERROR_STATUS[detail.failure],
    headers,
  });
}
