import { Elysia } from "elysia";
import { errorResponse, fail } from "./failure.ts";

/** Largest request body accepted: a 4000-character intention in 4-byte UTF-8 fits with room. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Refuses oversized bodies up front with the contract's 413, before anything parses them. */
export const bodyLimit = new Elysia({ name: "body-limit" }).onRequest(({ request }) => {
  const length = request.headers.get("content-length");
  if (length !== null && Number(length) > MAX_BODY_BYTES) {
    return errorResponse(fail("too_large", `the body is over ${MAX_BODY_BYTES} bytes`));
  }
});
