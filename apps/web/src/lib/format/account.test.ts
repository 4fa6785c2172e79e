import { describe, expect, test } from "bun:test";
import { handleProblem, normaliseHandle, passwordProblem } from "./account.ts";

describe("normaliseHandle", () => {
  test("lower case, as the server takes it; an @ and spaces around it dropped", () => {
    expect(normaliseHandle("Alice_UX")).toBe("alice_ux");
    expect(normaliseHandle("  @Grace ")).toBe("grace");
    expect(normaliseHandle("ada")).toBe("ada");
  });
});

describe("handleProblem", () => {
  test("a handle in any case that the server takes is fine", () => {
    for (const fine of ["Alice_UX", "abc", "a_1", "x".repeat(32)])
      expect(handleProblem(fine)).toBeNull();
  });

  test("each refusal says why, in words", () => {
    expect(handleProblem("ab")).toBe("A handle needs at least 3 characters.");
    expect(handleProblem("x".repeat(33))).toBe("A handle has at most 32 characters.");
    for (const bad of ["has space", "dash-ed", "été", "semi;colon"]) {
      expect(handleProblem(bad)).toContain("only use letters, digits and _");
    }
  });
});

describe("passwordProblem", () => {
  test("a reasonable password passes", () => {
    expect(passwordProblem("correct horse battery", "ada")).toBeNull();
  });

  test("too short, too long, only spaces, one repeated character, the handle itself", () => {
    expect(passwordProblem("short")).toBe("A password needs at least 8 characters.");
    expect(passwordProblem("p".repeat(201))).toBe("A password has at most 200 characters.");
    expect(passwordProblem("          ")).toBe("A password cannot be only spaces.");
    expect(passwordProblem("\t \u00a0 \n    ")).toBe("A password cannot be only spaces.");
    expect(passwordProblem("aaaaaaaaaa")).toBe("A password cannot be one character repeated.");
    expect(passwordProblem("Alice_UX", "alice_ux")).toBe("A password cannot be your handle.");
    expect(passwordProblem("alice_ux is mine", "alice_ux")).toBeNull();
  });
});
