import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  BEFORE_EVERY_CURSOR,
  compareCursors,
  cursorToEpochMicros,
  isCursor,
  maxCursor,
} from "./cursor.ts";
import { stamp } from "./testing/index.ts";

describe("cursor", () => {
  test("accepts exactly the 27-character, six-digit UTC form", () => {
    expect(isCursor("2025-07-28T10:30:16.123456Z")).toBe(true);
    expect(isCursor("2024-02-29T23:59:59.999999Z")).toBe(true);
    for (const bad of [
      "2025-07-28T10:30:16.123Z",
      "2025-07-28T10:30:16.1234567Z",
      "2025-07-28T10:30:16.123456+00:00",
      "2025-07-28 10:30:16.123456Z",
      " 2025-07-28T10:30:16.123456Z",
      "",
      "2025-13-45T99:99:99.999999Z",
      "2025-02-29T00:00:00.000000Z",
      "2024-04-31T00:00:00.000000Z",
      42,
      null,
    ]) {
      expect(isCursor(bad)).toBe(false);
    }
  });

  test("string order is time order, to the microsecond", () => {
    fc.assert(
      fc.property(fc.nat(2 ** 45), fc.nat(2 ** 45), (a, b) => {
        const order = Math.sign(compareCursors(stamp(a), stamp(b)));
        expect(order).toBe(Math.sign(a - b));
        expect(maxCursor(stamp(a), stamp(b))).toBe(stamp(Math.max(a, b)));
      }),
    );
  });

  test("epoch micros keep every digit", () => {
    const base = cursorToEpochMicros(stamp(0));
    fc.assert(
      fc.property(fc.nat(2 ** 40), (n) => {
        expect(cursorToEpochMicros(stamp(n)) - base).toBe(n);
      }),
    );
  });

  test("BEFORE_EVERY_CURSOR orders before every cursor and is not one", () => {
    expect(isCursor(BEFORE_EVERY_CURSOR)).toBe(false);
    expect(compareCursors(BEFORE_EVERY_CURSOR, "0001-01-01T00:00:00.000000Z")).toBeLessThan(0);
    fc.assert(
      fc.property(fc.nat(2 ** 45), (micros) => {
        expect(compareCursors(BEFORE_EVERY_CURSOR, stamp(micros))).toBeLessThan(0);
      }),
    );
  });
});
