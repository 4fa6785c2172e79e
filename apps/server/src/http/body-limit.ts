import { ERROR_CODES } from "@rhizome/protocol";
import { Elysia } from "elysia";
import { type Failure, fail } from "../failure.ts";
import { ApiError } from "./api-error.ts";
import { parseJsonBody } from "./json-body.ts";

/** Largest request body accepted: a 4000-character intention in 4-byte UTF-8 fits with room. */
export const MAX_BODY_BYTES = 64 * 1024;

const tooLarge = (): Failure =>
  fail(ERROR_CODES.tooLarge, `the body is over ${MAX_BODY_BYTES} bytes`);

/** The body's bytes, or undefined as soon as it passes `limit` (the rest is never read). */
async function readAtMost(
  body: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * Bodies that are not JSON (or hold text Postgres cannot store), and why. Who is asking comes
 * before what they sent: such a body reads as `{}`, so that the route's session check runs
 * first (a 401 wins), and the reason is answered after it, at validation or before the handler.
 */
const unreadable = new WeakMap<Request, ApiError>();

/** Why the request's body could not be read, if it could not. */
export function unreadableBody(request: Request): ApiError | undefined {
  return unreadable.get(request);
}

/**
 * Refuses oversized bodies with the contract's 413: up front when Content-Length says so,
 * and while reading when it is absent (a chunked body), before anything parses them.
 */
export const bodyLimit = new Elysia({ name: "body-limit" })
  .onRequest(({ request }) => {
    const length = request.headers.get("content-length");
    // Thrown, not returned: the error path answers it, so that the access log sees it too.
    if (length !== null && Number(length) > MAX_BODY_BYTES) throw new ApiError(tooLarge());
  })
  .onParse({ as: "global" }, async ({ request }) => {
    // Never undefined: that would hand the body on to the next parser.
    if (!request.body) return null;
    // With a Content-Length (checked above) and no chunking, the server reads no more than
    // it says: one native read instead of a stream of chunks.
    const sized =
      request.headers.get("content-length") !== null &&
      request.headers.get("transfer-encoding") === null;
    const bytes = sized
      ? new Uint8Array(await request.arrayBuffer())
      : await readAtMost(request.body, MAX_BODY_BYTES);
    if (!bytes) throw new ApiError(tooLarge());
    try {
      return parseJsonBody(bytes);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      unreadable.set(request, error);
      return {};
    }
  })
  // A route whose schema took the stand-in `{}` (or that has none) still refuses the body.
  .onBeforeHandle({ as: "global" }, ({ request }) => {
    const refusal = unreadable.get(request);
    if (refusal) throw refusal;
  })
  // Never reached (the parser above always answers); it tells the OpenAPI document that
  // bodies are JSON, which it cannot infer from a function.
  // (Elysia accepts a named parser in this container form only; its types do not say so.)
  .onParse({ as: "global" }, { fn: "json" } as never);
