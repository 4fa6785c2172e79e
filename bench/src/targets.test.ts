import { describe, expect, test } from "bun:test";
import { sizesFor } from "./config.ts";
import { emptyResults, type Results } from "./results.ts";
import type { PhaseFigures, TierFigures } from "./scenarios/fanout.ts";
import { batchWindowMs, computeTargets, ratio, worst } from "./targets.ts";

const sizes = sizesFor(true);

function phase(name: string, p99: number, cpu = 1, bytes = 100): PhaseFigures {
  return {
    phase: name,
    messages: 1,
    failedPosts: 0,
    deliveries: 1,
    expected: 1,
    complete: true,
    latencyMs: { n: 1, p50: p99, p95: p99, p99, max: p99 },
    medianMessageMs: { p50: p99, p99 },
    durationMs: 1,
    deliveriesPerSec: 1,
    serverCpuMicros: cpu,
    cpuMicrosPerDelivery: cpu,
    userMicrosPerDelivery: cpu,
    bytes,
    bytesPerDelivery: bytes,
  };
}

function tier(peer: TierFigures["peer"], subscribers: number, phases: PhaseFigures[]): TierFigures {
  return {
    peer,
    subscribers,
    live: subscribers,
    connectMs: 1,
    connectErrors: {},
    rssBaselineBytes: 0,
    rssConnectedBytes: 0,
    rssSettledBytes: 0,
    rssPerConnBytes: 10 * 1024,
    phases,
    integrity: { duplicates: 0, gaps: 0, missing: 0 },
  };
}

const empty = (): Results => emptyResults({});

const byName = (results: Results, start: string) => {
  const target = computeTargets(results, sizes).find((t) => t.name.startsWith(start));
  if (!target) throw new Error(`no target ${start}`);
  return target;
};

describe("ratio", () => {
  test("divides measured figures", () => {
    expect(ratio(3, 2)).toBe(1.5);
  });
  test("is undefined when either side is missing, not finite, or the divisor is not positive", () => {
    expect(ratio(undefined, 2)).toBeUndefined();
    expect(ratio(2, undefined)).toBeUndefined();
    expect(ratio(Number.NaN, 2)).toBeUndefined();
    expect(ratio(2, 0)).toBeUndefined();
  });
});

describe("worst", () => {
  test("takes the largest measured value and ignores the missing", () => {
    expect(worst([1, undefined, 3, Number.NaN])).toBe(3);
    expect(worst([undefined])).toBeUndefined();
  });
});

describe("batchWindowMs", () => {
  const settings = { batchMs: 1000, batchAudience: 5000 };
  test("scales the window with the audience, up to the full window", () => {
    expect(batchWindowMs(settings, 1000)).toBe(200);
    expect(batchWindowMs(settings, 5000)).toBe(1000);
    expect(batchWindowMs(settings, 50_000)).toBe(1000);
  });
  test("counts an empty audience as one", () => {
    expect(batchWindowMs(settings, 0)).toBe(0.2);
  });
});

describe("computeTargets", () => {
  test("nothing measured: every target unmet, with a NaN value", () => {
    const targets = computeTargets(empty(), sizes);
    expect(targets.length).toBe(14);
    expect(targets.every((t) => !t.met && Number.isNaN(t.value))).toBe(true);
  });

  test("lone p99 against the floor and Socket.IO, from the same run's figures", () => {
    const results = empty();
    results.fanout.push(
      tier("ours", 5000, [phase("lone", 55)]),
      tier("bare", 5000, [phase("lone", 50)]),
      tier("sio", 5000, [phase("lone", 165)]),
    );
    const floor = byName(results, "lone p99 at 5k: ours ÷ the bare");
    expect(floor.value).toBe(1.1);
    expect(floor.met).toBe(true);
    expect(floor.basis).toEqual({ oursMs: 55, floorMs: 50 });
    const sio = byName(results, "lone p99 at 5k: Socket.IO");
    expect(sio.value).toBe(3);
    expect(sio.met).toBe(true);
    results.fanout[1] = tier("bare", 5000, [phase("lone", 40)]);
    expect(byName(results, "lone p99 at 5k: ours ÷ the bare").met).toBe(false);
  });

  test("steady p99 at 1k is bounded by the audience's window plus the lone p99", () => {
    const results = empty();
    results.fanout.push(tier("ours", 1000, [phase("lone", 20), phase("steady", 219)]));
    const steady = byName(results, "steady 20/s at 1k");
    expect(steady.goal).toBe("≤ 220");
    expect(steady.met).toBe(true);
    results.fanout[0] = tier("ours", 1000, [phase("lone", 20), phase("steady", 221)]);
    expect(byName(results, "steady 20/s at 1k").met).toBe(false);
  });

  test("CPU per delivery: Socket.IO must cost at least 4× ours", () => {
    const results = empty();
    results.fanout.push(
      tier("ours", 5000, [phase("steady", 1, 2)]),
      tier("sio", 5000, [phase("steady", 1, 8)]),
    );
    expect(byName(results, "steady 20/s at 5k, CPU").met).toBe(true);
    results.fanout[1] = tier("sio", 5000, [phase("steady", 1, 7.9)]);
    expect(byName(results, "steady 20/s at 5k, CPU").met).toBe(false);
  });

  test("the conversation needs every delivery as well as the ratio", () => {
    const results = empty();
    const talk = (peer: "ours" | "sio", p99: number, deliveries: number) => ({
      peer,
      subscribers: 10,
      writers: 2,
      turnMs: 300,
      messages: 10,
      failedPosts: 0,
      deliveries,
      expected: 100,
      latencyMs: { n: deliveries, p50: p99, p95: p99, p99, max: p99 },
      cpuMicrosPerDelivery: 1,
    });
    results.conversation.push(talk("ours", 14, 100), talk("sio", 10, 100));
    expect(byName(results, "conversation").met).toBe(true);
    results.conversation[0] = talk("ours", 14, 99);
    expect(byName(results, "conversation").met).toBe(false);
  });

  test("the cold storm against Socket.IO's connect storm, both all live", () => {
    const results = empty();
    const storm = (variant: "warm" | "cold", allLiveMs: number, queries: number) => ({
      variant,
      subscribers: 5000,
      spaces: 10,
      live: 5000,
      allLiveMs,
      syncDbQueries: queries,
      resumeDbQueries: queries,
      catchupsFromRing: 0,
      catchupsFromDb: queries,
      resets: 0,
      dbStatements: 0,
      serverCpuMicrosPerResume: 1,
      errors: {},
      integrity: { duplicates: 0, gaps: 0, missing: 0 },
    });
    results.storm.push(storm("warm", 900, 0), storm("cold", 1400, 10));
    const sio = {
      peer: "sio" as const,
      subscribers: 5000,
      spaces: 10,
      live: 5000,
      allLiveMs: 1000,
      errors: {},
    };
    results.connectStorm.push(sio);
    expect(byName(results, "reconnect storm 5k, cold").value).toBe(1.4);
    expect(byName(results, "reconnect storm 5k, cold").met).toBe(true);
    expect(byName(results, "reconnect storm 5k, warm and cold").met).toBe(true);
    results.storm[1] = storm("cold", 1400, 11);
    expect(byName(results, "reconnect storm 5k, warm and cold").met).toBe(false);
    results.connectStorm[0] = { ...sio, live: 4999 };
    expect(byName(results, "reconnect storm 5k, cold").met).toBe(false);
  });

  test("the resume target also needs an index plan at every size", () => {
    const results = empty();
    const size = (intentions: number, indexScan: boolean) =>
      ({ intentions, resumeDbMs: 1, fullResumeMs: 200, indexScan }) as never;
    results.catchup.push(size(1000, true), size(100_000, true));
    expect(byName(results, "resume of 50").met).toBe(true);
    results.catchup[0] = size(1000, false);
    expect(byName(results, "resume of 50").met).toBe(false);
  });
});

describe("batchWindowMs mirrors the server's window", () => {
  test("same window as apps/server's windowMs for every audience", async () => {
    const { windowMs } = await import("../../apps/server/src/sync/batch-window.ts");
    const settings = { batchMs: 1000, batchAudience: 5000 };
    for (const audience of [0, 1, 10, 999, 1000, 2500, 5000, 12_000]) {
      expect(batchWindowMs(settings, audience)).toBe(windowMs(settings, audience));
    }
  });
});
