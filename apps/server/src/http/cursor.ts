import { isCursor } from "@rhizome/protocol";
import { invalid } from "../failure.ts";
import { ApiError } from "./api-error.ts";

/** For routes: a 400 naming the field when a cursor is well-formed but not a real time. */
export function requireRealCursor(value: string | undefined, field: string): void {
  if (value !== undefined && !isCursor(value)) {
    throw new ApiError(
      invalid(`${field}: is not a cursor (a real UTC time, six fractional digits)`),
    );
  }
}
