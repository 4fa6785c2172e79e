import { describe, expect, test } from "bun:test";
import { streamSpaces } from "./multi.ts";

const pool = Array.from({ length: 10 }, (_, i) => `s${i}`);

describe("streamSpaces", () => {
  test("stream i follows min + i mod (max - min + 1) spaces, each starting where the last ended", () => {
    const streams = streamSpaces(pool, 4, 2, 4);
    expect(streams.map((s) => s.length)).toEqual([2, 3, 4, 2]);
    expect(streams[0]).toEqual(["s0", "s1"]);
    expect(streams[1]).toEqual(["s2", "s3", "s4"]);
    expect(streams[2]).toEqual(["s5", "s6", "s7", "s8"]);
    expect(streams[3]).toEqual(["s9", "s0"]);
  });
  test("a fixed count by default, every stream's spaces distinct", () => {
    const streams = streamSpaces(pool, 7, 3);
    expect(streams.every((s) => s.length === 3 && new Set(s).size === 3)).toBe(true);
  });
  test("refuses more spaces per stream than the pool holds", () => {
    expect(() => streamSpaces(pool, 1, 5, 11)).toThrow();
  });
});
