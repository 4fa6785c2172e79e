import { isVisibleText, LIMITS } from "@rhizome/protocol";

const count = (n: number) => n.toLocaleString();

/** Why a message cannot be sent or saved as it is, in a sentence; null when it can. */
export function contentProblem(content: string): string | null {
  if (!isVisibleText(content)) return "A message cannot be empty. To remove it, delete it.";
  const over = content.length - LIMITS.contentMax;
  if (over > 0)
    return `Messages are limited to ${count(LIMITS.contentMax)} characters: remove ${count(over)} to save.`;
  return null;
}

/** The counter shows once a message nears the limit. */
export const COUNTER_FROM = LIMITS.contentMax - 200;

/** "3,850 of 4,000 characters" near the limit; "150 too many (limit 4,000)" over it; null before. */
export function counterText(length: number): string | null {
  if (length <= COUNTER_FROM) return null;
  const over = length - LIMITS.contentMax;
  if (over > 0)
    return `${count(over)} too many: messages are limited to ${count(LIMITS.contentMax)} characters`;
  return `${count(length)} of ${count(LIMITS.contentMax)} characters`;
}
