import { describe, expect, test } from "bun:test";
import { dayLabel, splitByDay } from "./days.ts";

/** A cursor for a local wall-clock time (the test runs in whatever zone the machine has). */
function at(year: number, month: number, day: number, hour: number, minute = 0): string {
  const iso = new Date(year, month - 1, day, hour, minute).toISOString();
  return `${iso.slice(0, 23)}000Z`;
}

describe("splitByDay", () => {
  test("consecutive items of one local day stay together; a new day starts a new run", () => {
    const items = [
      { id: "a", createdAt: at(2025, 7, 27, 23, 58) },
      { id: "b", createdAt: at(2025, 7, 28, 0, 1) },
      { id: "c", createdAt: at(2025, 7, 28, 18, 0) },
      { id: "d", createdAt: at(2025, 7, 30, 9, 0) },
    ];
    const days = splitByDay(items);
    expect(days.map((day) => day.key)).toEqual(["2025-07-27", "2025-07-28", "2025-07-30"]);
    expect(days.map((day) => day.items.map((item) => item.id))).toEqual([["a"], ["b", "c"], ["d"]]);
  });

  test("nothing in, nothing out", () => {
    expect(splitByDay([])).toEqual([]);
  });
});

describe("dayLabel", () => {
  const now = new Date(2025, 6, 28, 0, 30);
  test("today and yesterday in words, by calendar day rather than 24 hours", () => {
    expect(dayLabel(new Date(2025, 6, 28, 0, 5), now, "en-GB")).toBe("Today");
    expect(dayLabel(new Date(2025, 6, 27, 23, 59), now, "en-GB")).toBe("Yesterday");
    expect(dayLabel(new Date(2025, 6, 27, 0, 1), now, "en-GB")).toBe("Yesterday");
  });

  test("older days as a date, with the year only when it is another year", () => {
    expect(dayLabel(new Date(2025, 6, 26, 12), now, "en-GB")).toBe("Saturday 26 July");
    expect(dayLabel(new Date(2024, 2, 12, 12), now, "en-GB")).toBe("Tuesday, 12 March 2024");
  });

  test("in the reader's locale", () => {
    expect(dayLabel(new Date(2025, 6, 28, 9), now, "de-DE")).toBe("Heute");
    expect(dayLabel(new Date(2025, 6, 27, 9), now, "fr-FR")).toBe("Hier");
    expect(dayLabel(new Date(2025, 6, 26, 9), now, "en-US")).toBe("Saturday, July 26");
  });
});
