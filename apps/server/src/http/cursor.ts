import { isCursor } from "@rhizome/protocol";
import { ApiError, invalid } from "./failure.ts";

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/**
 * A cursor that names a real instant. The wire pattern alone lets `2025-13-45T99:99:99`
 * through, which Postgres refuses with an error (a 500, or a stream that dies at once).
 */
export function isRealCursor(value: unknown): value is string {
  if (!isCursor(value)) return false;
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

/** For routes: a 400 naming the field when a cursor is well-formed but not a real time. */
export function requireRealCursor(value: string | undefined, field: string): void {
  if (value !== undefined && !isRealCursor(value)) {
    throw new ApiError(
      invalid(`${field}: is not a cursor (a real UTC time, six fractional digits)`),
    );
  }
}
