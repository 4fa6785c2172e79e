import { describe, expect, test } from "bun:test";
import { initials, textColorOn } from "./avatar.ts";

describe("initials", () => {
  test("first and last word, or the first two letters of one word", () => {
    expect(initials("Ada Lovelace")).toBe("AL");
    expect(initials("grace brewster murray hopper")).toBe("GH");
    expect(initials("ada")).toBe("AD");
    expect(initials("  ")).toBe("?");
    expect(initials("Émile Zola")).toBe("ÉZ");
  });
});

describe("textColorOn", () => {
  test("dark text on light colours, light text on dark ones", () => {
    expect(textColorOn("#ffffff")).toBe("#000000");
    expect(textColorOn("#ffd23f")).toBe("#000000");
    expect(textColorOn("#1f2933")).toBe("#ffffff");
    expect(textColorOn("#3b5bdb")).toBe("#ffffff");
    expect(textColorOn("nonsense")).toBe("#ffffff");
  });
});
