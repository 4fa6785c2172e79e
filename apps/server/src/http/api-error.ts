import { ERROR_STATUS, type ErrorBody, type ErrorCode, HEADERS } from "@rhizome/protocol";
import { type Failure, isFailure } from "../failure.ts";

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
