import { canonicalId, UUID_PATTERN } from "@rhizome/protocol";
import { t } from "elysia";

/**
 * An id in a path, query or body, made canonical (lower case) where it enters: every rule
 * downstream (access, caps, revocation) compares ids as strings, so it must never see
 * another spelling of the same uuid. The pattern backs up the `uuid` format, whose checker
 * is global and replaced by whichever library registers last; Postgres must never see a
 * non-uuid.
 */
export function uuid(description?: string) {
  return t
    .Transform(
      t.String({
        format: "uuid",
        pattern: UUID_PATTERN,
        ...(description ? { description } : {}),
      }),
    )
    .Decode(canonicalId)
    .Encode((id) => id);
}
