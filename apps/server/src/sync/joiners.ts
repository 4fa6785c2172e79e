import type { Cursor } from "@rhizome/protocol";
import type { Seat } from "./seat.ts";

/** A seat waiting for its first frame, and the cursor it resumes from. */
export type Joiner = { subscriber: Seat; since: Cursor | undefined };

/**
 * Joiners by (cursor, page), in order of first appearance. Usually they all share both (a
 * storm of one cursor, sidebars without one): then no key is built per joiner.
 */
export function bySinceAndPage(joiners: Joiner[]): Iterable<Joiner[]> {
  const [first] = joiners;
  if (!first) return [];
  const { since, subscriber } = first;
  if (joiners.every((j) => j.since === since && j.subscriber.page === subscriber.page)) {
    return [joiners];
  }
  return Map.groupBy(joiners, (joiner) => `${joiner.since}|${joiner.subscriber.page}`).values();
}
