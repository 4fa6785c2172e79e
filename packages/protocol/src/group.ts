import { DEFAULTS } from "./constants.ts";
import { cursorToEpochMicros } from "./cursor.ts";
import type { Intention } from "./schemas/intention.ts";

export type IntentionGroup<T extends Intention = Intention> = {
  authorId: string;
  /** Intentions of the group, oldest first; never empty. */
  intentions: T[];
};

/**
 * Consecutive intentions by one author, each within `windowMs` of the one before it,
 * form a group (the chat convention of showing the author once per burst).
 */
export function groupIntentions<T extends Intention>(
  intentions: readonly T[],
  windowMs: number = DEFAULTS.groupWindowMs,
): IntentionGroup<T>[] {
  const groups: IntentionGroup<T>[] = [];
  let last: T | undefined;
  for (const item of intentions) {
    const current = groups.at(-1);
    if (current && last && last.authorId === item.authorId && withinWindow(last, item, windowMs)) {
      current.intentions.push(item);
    } else {
      groups.push({ authorId: item.authorId, intentions: [item] });
    }
    last = item;
  }
  return groups;
}

function withinWindow(previous: Intention, next: Intention, windowMs: number): boolean {
  const gapMicros = cursorToEpochMicros(next.createdAt) - cursorToEpochMicros(previous.createdAt);
  return gapMicros >= 0 && gapMicros <= windowMs * 1000;
}
