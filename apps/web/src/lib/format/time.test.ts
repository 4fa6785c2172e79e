import { describe, expect, test } from "bun:test";
import { cursorToDate, formatMessageTime } from "./time.ts";

describe("cursorToDate", () => {
  test("keeps the millisecond, drops the microseconds (display only)", () => {
    expect(cursorToDate("2025-07-28T10:30:16.123456Z").toISOString()).toBe(
      "2025-07-28T10:30:16.123Z",
    );
  });
});

describe("formatMessageTime", () => {
  const now = new Date(2025, 6, 28, 18, 0);
  test("time only today, the day otherwise, the year when it is not this one", () => {
    expect(formatMessageTime(new Date(2025, 6, 28, 9, 5), now, "en-GB")).toBe("09:05");
    expect(formatMessageTime(new Date(2025, 2, 12, 9, 5), now, "en-GB")).toBe("12 Mar, 09:05");
    expect(formatMessageTime(new Date(2024, 2, 12, 9, 5), now, "en-GB")).toBe("12 Mar 2024, 09:05");
  });
});
