import { ERROR_CODES, ERROR_STATUS, HEADERS, INTERNAL_ERROR_CODE } from "@rhizome/protocol";
import { Elysia, ValidationError } from "elysia";
import { type Failure, fail, revoked } from "../failure.ts";
import { ApiError, errorResponse } from "./api-error.ts";
import { unreadableBody } from "./body-limit.ts";
import { deferredSessionIsDead } from "./deferred-session.ts";
import { describeValidation } from "./validation-message.ts";

/**
 * Every failure in the contract's shape (docs/PROTOCOL.md): validation and parse errors are 400,
 * unknown routes 404, and anything unexpected a 500 with no detail (logged here instead).
 */
export const errorHandler = new Elysia({ name: "error-handler" }).onError(
  { as: "global" },
  async ({ code, error, request, set }) => {
    const response = await answer(code, error, request);
    // Later hooks (the access log) see the status of what was answered.
    set.status = response.status;
    return response;
  },
);

/** The contract's error body for what went wrong. */
async function answer(code: string | number, error: unknown, request: Request): Promise<Response> {
  const refusal = clientFault(code, error, request);
  if (refusal) {
    // Who is asking comes before what they sent: a route that checks its session in its own
    // statement (statementAuth) had not checked it yet.
    const invalid = refusal.failure === ERROR_CODES.invalid;
    if (invalid && (await deferredSessionIsDead(request))) return errorResponse(revoked());
    return errorResponse(refusal);
  }
  if (code === "PARSE") {
    // Our body parser's 413 (a chunked body past the limit) arrives wrapped by Elysia.
    const cause = (error as Error).cause;
    if (cause instanceof ApiError) return errorResponse(cause.detail);
    return errorResponse(fail(ERROR_CODES.invalid, "the body is not valid JSON"));
  }
  const status = (error as { status?: number }).status;
  if (status === 413) return errorResponse(fail(ERROR_CODES.tooLarge, "the body is too large"));
  console.error("[http] unexpected error:", error);
  return new Response(
    JSON.stringify({ error: { code: INTERNAL_ERROR_CODE, message: "internal error" } }),
    {
      status: ERROR_STATUS[INTERNAL_ERROR_CODE],
      headers: { [HEADERS.contentType]: "application/json; charset=utf-8" },
    },
  );
}

/** A refusal of what the client sent or asked for, or undefined for an error of ours. */
function clientFault(code: string | number, error: unknown, request: Request): Failure | undefined {
  if (error instanceof ApiError) return error.detail;
  // A response that fails its own schema is our bug, not the client's: a 500.
  const isResponseCheck = (error as { type?: string }).type === "response";
  if ((error instanceof ValidationError || code === "VALIDATION") && !isResponseCheck) {
    // A body that was no JSON at all is answered as such, not as a schema mismatch of `{}`.
    return (
      unreadableBody(request)?.detail ??
      fail(ERROR_CODES.invalid, describeValidation(error as ValidationError))
    );
  }
  if (code === "NOT_FOUND") return fail(ERROR_CODES.notFound, "no such route");
  return undefined;
}
