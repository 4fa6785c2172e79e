import { describe, expect, test } from "bun:test";
import { connectionWords } from "./connection.ts";

describe("connectionWords", () => {
  const at = new Date(2025, 6, 28, 14, 3, 5).getTime();

  test("live is simply up to date, whenever it last synced", () => {
    expect(connectionWords("live", at, "en-GB")).toEqual({ state: "Up to date", detail: null });
  });

  test("away from live, how fresh the screen is, to the minute", () => {
    expect(connectionWords("reconnecting", at, "en-GB")).toEqual({
      state: "Reconnecting…",
      detail: "showing messages up to 14:03",
    });
    expect(connectionWords("offline", at, "en-GB").detail).toBe("showing messages up to 14:03");
  });

  test("nothing to say about freshness before the first sync", () => {
    expect(connectionWords("connecting", null)).toEqual({ state: "Connecting…", detail: null });
    expect(connectionWords("offline", null)).toEqual({ state: "Offline", detail: null });
  });
});
