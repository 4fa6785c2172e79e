import { ERROR_CODES, ERROR_STATUS, HEADERS, INTERNAL_ERROR_CODE } from "@rhizome/protocol";
import { Elysia, ValidationError } from "elysia";
import { fail, revoked } from "../failure.ts";
import { ApiError, errorResponse } from "./api-error.ts";
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
  if (error instanceof ApiError) return errorResponse(error.detail);
  // A response that fails its own schema is our bug, not the client's: a 500 below.
  const isResponseCheck = (error as { type?: string }).type === "response";
  if ((error instanceof ValidationError || code === "VALIDATION") && !isResponseCheck) {
    if (await deferredSessionIsDead(request)) return errorResponse(revoked());
    return errorResponse(fail(ERROR_CODES.invalid, describeValidation(error as ValidationError)));
  }
  if (code === "PARSE") {
    // Our body parser's own failures (413, 400 with a reason) arrive wrapped by Elysia.
    const cause = (error as Error).cause;
    if (cause instanceof ApiError) return errorResponse(cause.detail);
    return errorResponse(fail(ERROR_CODES.invalid, "the body is not valid JSON"));
  }
  if (code === "NOT_FOUND") return errorResponse(fail(ERROR_CODES.notFound, "no such route"));
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
