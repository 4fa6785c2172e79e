import { describe, expect, test } from "bun:test";
import { cpuMicrosByPid, cpuUsedBetween } from "./proc.ts";

describe("CPU readings of processes that come and go", () => {
  test("a process that does not exist (any more) is left out, not an error", () => {
    const readings = cpuMicrosByPid([process.pid, 2 ** 30]);
    expect([...readings.keys()]).toEqual([process.pid]);
  });

  test("only processes read both times count: one that ended or started in between does not", () => {
    const before = new Map([
      [1, 100],
      [2, 500],
    ]);
    const after = new Map([
      [1, 160],
      [3, 40],
    ]);
    expect(cpuUsedBetween(before, after)).toBe(60);
  });
});
