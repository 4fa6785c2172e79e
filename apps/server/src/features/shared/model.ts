import { canonicalId, LIMITS, UUID_PATTERN } from "@rhizome/protocol";
import type { TString } from "@sinclair/typebox";
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

/** The handle pattern in any letter case: what a sign-up may type before it is lower-cased. */
export const HANDLE_ANY_CASE = LIMITS.handlePattern.replace("[a-z0-9_]", "[A-Za-z0-9_]");

/**
 * A handle made lower case where it enters (sign-up, sign-in, look-up), the way ids are
 * above: `Alice_UX` is `alice_ux` for every rule, and the stored handles are lower case.
 */
export function lowerCased(schema: TString) {
  return t
    .Transform(schema)
    .Decode((value) => value.toLowerCase())
    .Encode((value) => value);
}
