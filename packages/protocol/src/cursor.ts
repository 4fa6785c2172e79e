/**
 * Cursors are a space's commit clock as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (27 characters).
 * They are opaque to clients: compared as strings, never parsed into a `Date`,
 * which would drop the microseconds.
 */
export type Cursor = string;

/**
 * Orders before every cursor (the empty string sorts first): a floor for "changes after
 * anything". It is never a cursor a client holds; "no cursor yet" is `undefined` (or `null`
 * in the reducer's state), never this.
 */
export const BEFORE_EVERY_CURSOR = "" as const;

export const CURSOR_PATTERN = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z$";
const CURSOR_RE = new RegExp(CURSOR_PATTERN);
export const CURSOR_LENGTH = 27;

/** A well-formed cursor naming a real instant (`2025-13-45T99:…` matches the pattern, not this). */
export function isCursor(value: unknown): value is Cursor {
  if (typeof value !== "string" || value.length !== CURSOR_LENGTH || !CURSOR_RE.test(value)) {
    return false;
  }
  const [year, month, day, hour, minute, second] = [0, 5, 8, 11, 14, 17].map((at) =>
    Number(value.slice(at, at === 0 ? 4 : at + 2)),
  ) as [number, number, number, number, number, number];
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour < 24 &&
    minute < 60 &&
    second < 60
  );
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** Negative, zero or positive, like a sort comparator. Same-format strings order like time. */
export function compareCursors(a: Cursor, b: Cursor): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxCursor(a: Cursor, b: Cursor): Cursor {
  return a >= b ? a : b;
}

/**
 * Microseconds since the epoch, for display arithmetic (grouping, "5 minutes ago").
 * Integer fields only, so nothing is rounded; never use it to order or resume.
 */
export function cursorToEpochMicros(cursor: Cursor): number {
  const ms = Date.UTC(
    Number(cursor.slice(0, 4)),
    Number(cursor.slice(5, 7)) - 1,
    Number(cursor.slice(8, 10)),
    Number(cursor.slice(11, 13)),
    Number(cursor.slice(14, 16)),
    Number(cursor.slice(17, 19)),
  );
  return ms * 1000 + Number(cursor.slice(20, 26));
}
