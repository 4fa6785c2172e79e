import { canonicalId, type Visibility } from "@rhizome/protocol";
import type { CheckedAccess, Role } from "../data/spaces.ts";
import { type Failure, notFound, revoked } from "../failure.ts";

export type { Role };

/**
 * The one readability rule: a public space is readable by any signed-in being,
 * a private one by its members only. Every check, cached or not, asks this function.
 */
export function mayRead(visibility: Visibility, role: Role | null): boolean {
  return visibility === "public" || role !== null;
}

/**
 * A statement's finding, when its caller may read the space; else the answer: 401 without a
 * live session, 404 for a space that is missing or not theirs to read (never told apart).
 */
export function readableOrRefusal<Found extends object>(
  outcome: CheckedAccess<Found>,
): Extract<CheckedAccess<Found>, { kind: "found" }> | Failure {
  if (outcome.kind === "no-session") return revoked();
  if (outcome.kind === "no-space" || !mayRead(outcome.visibility, outcome.role)) {
    return notFound("space");
  }
  return outcome;
}

declare const readKeyBrand: unique symbol;
/** Names one (space, being) pair in caches and revalidation; only `readKey` makes one. */
export type ReadKey = string & { readonly [readKeyBrand]: true };

/** Built from canonical ids, so that no spelling of an id names another pair. */
export function readKey(spaceId: string, beingId: string): ReadKey {
  return `${canonicalId(spaceId)}|${canonicalId(beingId)}` as ReadKey;
}
