import { invalid } from "../failure.ts";
import { ApiError } from "./api-error.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Keys that shadow what every object has (`toString`, `valueOf`, `__proto__`…): no field of
 * ours is named so, and an object carrying them breaks code that prints or converts it (the
 * validator's own error message, for one), so they are refused wherever they appear.
 */
const OBJECT_MEMBERS = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * Postgres `text` cannot hold NUL, and a lone surrogate would be stored as U+FFFD (so an
 * idempotent replay would no longer match): refuse both up front, naming the field.
 */
function refuseUnstorableText(key: string, value: unknown): unknown {
  const field = key === "" ? "body" : `body ${key}`;
  if (typeof value === "string" && (value.includes("\u0000") || !value.isWellFormed())) {
    throw new ApiError(invalid(`${field}: contains a NUL character or broken Unicode`));
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const shadowing = Object.keys(value).find((name) => OBJECT_MEMBERS.has(name));
    if (shadowing) throw new ApiError(invalid(`${field}: the key "${shadowing}" is not allowed`));
  }
  return value;
}

/**
 * Every request body is JSON, whatever its Content-Type says: one parser, so a form or a
 * text/plain body gets the same clear 400 as malformed JSON. An empty body reads as null.
 */
export function parseJsonBody(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new ApiError(invalid("the body is not valid UTF-8"));
  }
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text, refuseUnstorableText);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(invalid("the body is not valid JSON"));
  }
}
