import { UUID_PATTERN } from "@rhizome/protocol";
import { t } from "elysia";

/**
 * An id in a path or body. The pattern backs up the `uuid` format, whose checker is global
 * and replaced by whichever library registers last; Postgres must never see a non-uuid.
 */
export function uuid(description?: string) {
  return t.String({
    format: "uuid",
    pattern: UUID_PATTERN,
    ...(description ? { description } : {}),
  });
}
