import { canonicalId, type Visibility } from "@rhizome/protocol";
import type { Role } from "../data/spaces.ts";

export type { Role };

/**
 * The one readability rule: a public space is readable by any signed-in being,
 * a private one by its members only. Every check, cached or not, asks this function.
 */
export function mayRead(visibility: Visibility, role: Role | null): boolean {
  return visibility === "public" || role !== null;
}

declare const readKeyBrand: unique symbol;
/** Names one (space, being) pair in caches and revalidation; only `readKey` makes one. */
export type ReadKey = string & { readonly [readKeyBrand]: true };

/** Built from canonical ids, so that no spelling of an id names another pair. */
export function readKey(spaceId: string, beingId: string): ReadKey {
  return `${canonicalId(spaceId)}|${canonicalId(beingId)}` as ReadKey;
}
