import type { Cursor } from "@rhizome/protocol";
import { cursorToDate } from "./time.ts";

/** The items of one local calendar day, in their order; `key` is that day, `YYYY-MM-DD`. */
export type Day<T> = { key: string; date: Date; items: T[] };

function localDayKey(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Cuts a window ordered by `createdAt` into runs of one local day each, for date dividers. */
export function splitByDay<T extends { createdAt: Cursor }>(items: readonly T[]): Day<T>[] {
  const days: Day<T>[] = [];
  for (const item of items) {
    const date = cursorToDate(item.createdAt);
    const key = localDayKey(date);
    const last = days.at(-1);
    if (last?.key === key) last.items.push(item);
    else days.push({ key, date, items: [item] });
  }
  return days;
}

/** Whole local days from `date` to `now`: 0 today, 1 yesterday (daylight saving safe). */
function daysAgo(date: Date, now: Date): number {
  const midnight = (d: Date) => Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  return Math.round((midnight(now) - midnight(date)) / 86_400_000);
}

/** "Today", "Yesterday", else the date ("Saturday 26 July", with the year when not this one), in the locale. */
export function dayLabel(date: Date, now: Date = new Date(), locale?: string): string {
  const ago = daysAgo(date, now);
  if (ago === 0 || ago === 1) {
    const words = new Intl.RelativeTimeFormat(locale, { numeric: "auto" }).format(-ago, "day");
    return words.charAt(0).toLocaleUpperCase(locale) + words.slice(1);
  }
  return date.toLocaleDateString(locale, {
    weekday: "long",
    day: "numeric",
    month: "long",
    ...(date.getFullYear() === now.getFullYear() ? {} : { year: "numeric" }),
  });
}
