import { compareCursors } from "./cursor.ts";
import type { Intention } from "./schemas/intention.ts";

/**
 * The one order of intentions, in windows, pages and deltas alike: by `createdAt`, then id.
 * The space clock makes ties impossible; the id keeps the order total (a comparator that
 * never answers 0 is not one, and sorts the same list differently by engine).
 */
export function compareIntentions(a: Intention, b: Intention): number {
  return compareCursors(a.createdAt, b.createdAt) || compareIds(a.id, b.id);
}

/** The order of the change log: by `updatedAt` (commit order), then id. */
export function compareChanges(a: Intention, b: Intention): number {
  return compareCursors(a.updatedAt, b.updatedAt) || compareIds(a.id, b.id);
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
