import { ERROR_CODES, type ErrorCode } from "@rhizome/protocol";

/**
 * What a service returns instead of throwing when a request cannot be served: a domain
 * outcome, with no HTTP in it (`http/api-error.ts` turns it into a response).
 */
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
