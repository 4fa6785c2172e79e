import { describe, expect, test } from "bun:test";
import { buildSchedule, type FaultKind } from "./schedule.ts";

const shape = { durationMs: 16_000, servers: 3, subscribers: 8 };

describe("buildSchedule", () => {
  test("a seed always gives the same schedule, another seed another one", () => {
    expect(buildSchedule(7, shape)).toEqual(buildSchedule(7, shape));
    expect(buildSchedule(7, shape)).not.toEqual(buildSchedule(8, shape));
  });

  test("the stall comes first, every kind comes at least once, in order within the run", () => {
    for (let seed = 0; seed < 200; seed++) {
      const schedule = buildSchedule(seed, shape);
      expect(schedule[0]?.fault.kind).toBe("stall-subscriber");
      const kinds = new Set<FaultKind>(schedule.map(({ fault }) => fault.kind));
      expect(kinds.size).toBe(7);
      const times = schedule.map(({ atMs }) => atMs);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(Math.max(...times)).toBeLessThanOrEqual(shape.durationMs);
    }
  });

  test("the anchor (server 0) is never killed; dropped subscribers exist", () => {
    for (let seed = 0; seed < 200; seed++) {
      for (const { fault } of buildSchedule(seed, shape)) {
        if (fault.kind === "kill-server") expect(fault.server).toBeGreaterThan(0);
        if (fault.kind === "drop-subscribers") {
          for (const index of fault.subscribers) expect(index).toBeLessThan(shape.subscribers);
        }
      }
    }
  });
});
