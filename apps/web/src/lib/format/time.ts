import { type Cursor, cursorToEpochMicros } from "@rhizome/protocol";

/** A cursor as a `Date`, for display only (never to compare or resume: that drops microseconds). */
export function cursorToDate(cursor: Cursor): Date {
  return new Date(Math.floor(cursorToEpochMicros(cursor) / 1000));
}

function sameDay(a: Date, b: Date): boolean {
  return (
    a.getFullYear() === b.getFullYear() &&
    a.getMonth() === b.getMonth() &&
    a.getDate() === b.getDate()
  );
}

/** "14:03" today, "12 Mar, 14:03" this year, "12 Mar 2024, 14:03" before. */
export function formatMessageTime(date: Date, now: Date = new Date(), locale?: string): string {
  const time = date.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  if (sameDay(date, now)) return time;
  const day = date.toLocaleDateString(locale, {
    day: "numeric",
    month: "short",
    ...(date.getFullYear() === now.getFullYear() ? {} : { year: "numeric" }),
  });
  return `${day}, ${time}`;
}

export function formatFull(date: Date, locale?: string): string {
  return date.toLocaleString(locale, { dateStyle: "full", timeStyle: "medium" });
}

/** "14:03:05": when the stream last confirmed our position. */
export function formatClock(ms: number, locale?: string): string {
  return new Date(ms).toLocaleTimeString(locale, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}
