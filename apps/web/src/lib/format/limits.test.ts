import { describe, expect, test } from "bun:test";
import { LIMITS } from "@rhizome/protocol";
import { contentProblem, counterText } from "./limits.ts";

describe("contentProblem", () => {
  test("visible text within the limit is fine, up to exactly the limit", () => {
    expect(contentProblem("hello")).toBeNull();
    expect(contentProblem("x".repeat(LIMITS.contentMax))).toBeNull();
  });

  test("empty, blank or invisible text says so and points at delete", () => {
    for (const blank of ["", "   ", "\n\t", "\u200b"]) {
      expect(contentProblem(blank)).toBe("A message cannot be empty. To remove it, delete it.");
    }
  });

  test("over the limit says the limit and how much to remove", () => {
    expect(contentProblem("x".repeat(LIMITS.contentMax + 123))).toBe(
      `Messages are limited to ${(4000).toLocaleString()} characters: remove 123 to save.`,
    );
  });
});

describe("counterText", () => {
  test("silent until 200 characters before the limit", () => {
    expect(counterText(0)).toBeNull();
    expect(counterText(LIMITS.contentMax - 200)).toBeNull();
  });

  test("counts near the limit, and explains the limit once past it", () => {
    expect(counterText(3850)).toBe(
      `${(3850).toLocaleString()} of ${(4000).toLocaleString()} characters`,
    );
    expect(counterText(4000)).toBe(
      `${(4000).toLocaleString()} of ${(4000).toLocaleString()} characters`,
    );
    expect(counterText(4150)).toBe(
      `150 too many: messages are limited to ${(4000).toLocaleString()} characters`,
    );
  });
});
