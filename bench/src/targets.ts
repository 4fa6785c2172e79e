import type { Sizes } from "./config.ts";
import type { Results } from "./results.ts";

export type Target = { name: string; goal: string; value: number; unit: string; met: boolean };

const phaseOf = (results: Results, peer: string, n: number, phase: string) =>
  results.fanout
    .find((t) => t.peer === peer && t.subscribers === n)
    ?.phases.find((p) => p.phase === phase);

/** Every target of the issue, computed from this run's figures (NaN when not measured). */
export function computeTargets(results: Results, sizes: Sizes): Target[] {
  const n = sizes.targetTier;
  const k = (value: number) => `${value / 1000}k`;
  const targets: Target[] = [];
  const add = (
    name: string,
    goal: string,
    value: number | undefined,
    unit: string,
    ok: (v: number) => boolean,
  ) => {
    const v = value ?? Number.NaN;
    targets.push({
      name,
      goal,
      value: Math.round(v * 1000) / 1000,
      unit,
      met: Number.isFinite(v) && ok(v),
    });
  };
  const oursSteady = phaseOf(results, "ours", n, "steady");
  const sioSteady = phaseOf(results, "sio", n, "steady");
  add(
    `server CPU per delivered change (steady 20/s, ${k(n)} subscribers)`,
    "≤ 5",
    oursSteady?.cpuMicrosPerDelivery,
    "µs",
    (v) => v <= 5,
  );
  add(
    `CPU per delivery, Socket.IO ÷ ours (same phase, same run)`,
    "≥ 2.5",
    sioSteady && oursSteady
      ? sioSteady.cpuMicrosPerDelivery / oursSteady.cpuMicrosPerDelivery
      : undefined,
    "×",
    (v) => v >= 2.5,
  );
  add(
    `p99 post→delivered, lone message, ${k(n)} subscribers`,
    "≤ 50",
    phaseOf(results, "ours", n, "lone")?.latencyMs.p99,
    "ms",
    (v) => v <= 50,
  );
  const rss = [
    results.fanout.find((t) => t.peer === "ours" && t.subscribers === n)?.rssPerConnBytes,
    results.capacity?.rssPerConnBytes,
  ];
  const rssValues = rss.filter((v): v is number => v !== undefined);
  add(
    "server RSS per connection (worst of fan-out and capacity runs)",
    "≤ 15",
    rssValues.length ? Math.max(...rssValues) / 1024 : undefined,
    "KB",
    (v) => v <= 15,
  );
  const multi = results.multi;
  const m = sizes.multi;
  add(
    `RSS per followed position (multi-space: ${m.streams} streams × ${m.spacesPerStream} spaces, every first frame and live change delivered)`,
    "≤ 1",
    multi ? multi.rssPerPositionBytes / 1024 : undefined,
    "KB",
    (v) =>
      v <= 1 &&
      multi !== undefined &&
      multi.live === multi.streams &&
      multi.firstFrames === multi.positions &&
      multi.deliveries === multi.expectedDeliveries,
  );
  const cap = results.capacity;
  add(
    "concurrent streams held by one process (each got a live change)",
    "≥ 10000",
    cap ? Math.min(cap.live, cap.delivered) : undefined,
    "streams",
    (v) => v >= 10_000,
  );
  const fullTier = sizes.fanout.fullArrayTiers[0] ?? 1000;
  const oursLone = phaseOf(results, "ours", fullTier, "lone");
  const fullLone = phaseOf(results, "full", fullTier, "lone");
  add(
    `bytes per delivered change ÷ full-array design (${sizes.fanout.history} intentions)`,
    "≤ 0.01",
    oursLone && fullLone ? oursLone.bytesPerDelivery / fullLone.bytesPerDelivery : undefined,
    "ratio",
    (v) => v <= 0.01,
  );
  const largest = results.catchup.at(-1);
  const exp = largest ? `10^${Math.log10(largest.intentions)}` : "?";
  add(
    `resume of 50 missed, ${exp}-intention space (end to end)`,
    "≤ 5",
    largest?.resumeDbMs,
    "ms",
    (v) => v <= 5,
  );
  add(
    `resume vs full-array resume (full scan), ${exp}`,
    "≥ 100",
    largest?.speedup,
    "×",
    (v) => v >= 100,
  );
  add(
    "catch-up query plans are index scans (all sizes)",
    "= 1",
    results.catchup.length ? Number(results.catchup.every((c) => c.indexScan)) : undefined,
    "bool",
    (v) => v === 1,
  );
  const storms = results.storm;
  add(
    `reconnect storm ${k(sizes.storm.subscribers)}: all live (worst of warm/cold)`,
    "≤ 2000",
    storms.length
      ? Math.max(
          ...storms.map((s) => (s.live === s.subscribers ? s.allLiveMs : Number.POSITIVE_INFINITY)),
        )
      : undefined,
    "ms",
    (v) => v <= 2000,
  );
  add(
    `reconnect storm: database queries serving the resumes (${sizes.storm.spaces} spaces)`,
    `≤ ${sizes.storm.spaces}`,
    storms.length ? Math.max(...storms.map((s) => s.resumeDbQueries)) : undefined,
    "queries",
    (v) => v <= sizes.storm.spaces,
  );
  targets.push(writeFloorTarget(results));
  return targets;
}

/** Server CPU per accepted write, ours ÷ the write floor (same load, same run), worst space count. */
export function writeFloorTarget(results: Results): Target {
  const ratios = (results.writeFloor ?? []).flatMap((f) => (f.cpuRatio ? [f.cpuRatio] : []));
  const worst = ratios.length ? Math.max(...ratios) : Number.NaN;
  return {
    name: "server CPU per accepted write: ours ÷ the write floor (worst of 1/10/100 spaces)",
    goal: "≤ 2",
    value: Math.round(worst * 1000) / 1000,
    unit: "×",
    met: Number.isFinite(worst) && worst <= 2,
  };
}
