import { OUR_BATCH, type Sizes } from "./config.ts";
import type { Results } from "./results.ts";

/**
 * One target of the run. Every goal is a ratio against a figure of the same run (a peer,
 * the bare send loop, the design it replaces) or a bound on a count, never an absolute
 * time: the machine is shared. `basis` holds the figures the value was computed from.
 */
export type Target = {
  name: string;
  goal: string;
  value: number;
  unit: string;
  met: boolean;
  basis?: Record<string, number | undefined>;
};

/** a ÷ b, undefined unless both are measured and b is positive. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) {
    return undefined;
  }
  return b > 0 ? a / b : undefined;
}

/** Our batch window for `audience` subscribers (mirrors apps/server's sync/batch-window.ts). */
export function batchWindowMs(
  settings: { batchMs: number; batchAudience: number },
  audience: number,
): number {
  return (
    settings.batchMs * Math.min(1, Math.max(1, audience) / Math.max(1, settings.batchAudience))
  );
}

/** The largest of the measured values, undefined when none is. */
export function worst(values: (number | undefined)[]): number | undefined {
  const measured = values.filter((v): v is number => v !== undefined && !Number.isNaN(v));
  return measured.length ? Math.max(...measured) : undefined;
}

const phaseOf = (results: Results, peer: string, n: number, phase: string) =>
  results.fanout
    .find((t) => t.peer === peer && t.subscribers === n)
    ?.phases.find((p) => p.phase === phase);

const k = (value: number) => `${value / 1000}k`;

/** Every target of the issue, computed from this run's figures (NaN when not measured). */
export function computeTargets(results: Results, sizes: Sizes): Target[] {
  const targets: Target[] = [];
  const add = (
    name: string,
    goal: string,
    value: number | undefined,
    unit: string,
    ok: (v: number) => boolean,
    basis?: Target["basis"],
  ) => {
    const v = value ?? Number.NaN;
    targets.push({
      name,
      goal,
      value: Math.round(v * 10_000) / 10_000,
      unit,
      met: Number.isFinite(v) && ok(v),
      ...(basis ? { basis } : {}),
    });
  };
  const n = sizes.targetTier;
  const p99 = (peer: string, tier: number, phase: string) =>
    phaseOf(results, peer, tier, phase)?.latencyMs.p99;

  const oursLone = p99("ours", n, "lone");
  const floorLone = p99("bare", n, "lone");
  const sioLone = p99("sio", n, "lone");
  add(
    `lone p99 at ${k(n)}: ours ÷ the bare send loop, same run`,
    "≤ 1.15",
    ratio(oursLone, floorLone),
    "ratio",
    (v) => v <= 1.15,
    { oursMs: oursLone, floorMs: floorLone },
  );
  add(
    `lone p99 at ${k(n)}: Socket.IO ÷ ours`,
    "≥ 2",
    ratio(sioLone, oursLone),
    "ratio",
    (v) => v >= 2,
    { sioMs: sioLone, oursMs: oursLone },
  );

  const talk = (peer: string) => results.conversation.find((c) => c.peer === peer);
  const oursTalk = talk("ours");
  const sioTalk = talk("sio");
  const complete = (c: typeof oursTalk) => c !== undefined && c.deliveries >= c.expected;
  add(
    `conversation (${sizes.conversation.subscribers} subscribers, ${sizes.conversation.writers} writers every ${sizes.conversation.turnMs} ms) p99: ours ÷ Socket.IO`,
    "≤ 1.5",
    ratio(oursTalk?.latencyMs.p99, sioTalk?.latencyMs.p99),
    "ratio",
    (v) => v <= 1.5 && complete(oursTalk) && complete(sioTalk),
    { oursMs: oursTalk?.latencyMs.p99, sioMs: sioTalk?.latencyMs.p99 },
  );

  const oursSteady = phaseOf(results, "ours", n, "steady")?.cpuMicrosPerDelivery;
  const sioSteady = phaseOf(results, "sio", n, "steady")?.cpuMicrosPerDelivery;
  add(
    `steady 20/s at ${k(n)}, CPU per delivery: Socket.IO ÷ ours`,
    "≥ 4",
    ratio(sioSteady, oursSteady),
    "ratio",
    (v) => v >= 4,
    { sioMicros: sioSteady, oursMicros: oursSteady },
  );

  const small = sizes.fanout.tiers[0] ?? 1000;
  const window = batchWindowMs(OUR_BATCH, small);
  const loneSmall = p99("ours", small, "lone");
  const steadySmall = p99("ours", small, "steady");
  const bound = loneSmall === undefined ? undefined : window + loneSmall;
  add(
    `steady 20/s at ${k(small)}, p99 ≤ the window the audience gives (${window} ms) + the lone p99 at ${k(small)}`,
    bound === undefined ? `≤ ${window} + lone p99` : `≤ ${Math.round(bound * 100) / 100}`,
    steadySmall,
    "ms",
    (v) => bound !== undefined && v <= bound,
    { windowMs: window, loneMs: loneSmall },
  );

  targets.push(writeFloorTarget(results));

  const rss = worst([
    results.fanout.find((t) => t.peer === "ours" && t.subscribers === n)?.rssPerConnBytes,
    results.capacity?.rssPerConnBytes,
  ]);
  add(
    "RSS per connection (worst of fan-out and capacity runs)",
    "≤ 15",
    rss === undefined ? undefined : rss / 1024,
    "KB",
    (v) => v <= 15,
  );

  const multi = results.multi;
  add(
    `RSS per followed position (multi-space: ${sizes.multi.streams} streams × ${sizes.multi.spacesPerStream}–${sizes.multi.maxSpacesPerStream} spaces, every first frame and live change delivered)`,
    "≤ 1",
    multi ? multi.rssPerPositionBytes / 1024 : undefined,
    "KB",
    (v) =>
      v <= 1 &&
      multi !== undefined &&
      multi.live === multi.streams &&
      multi.firstFrames === multi.positions &&
      multi.deliveries >= multi.expectedDeliveries,
  );

  const cap = results.capacity;
  add(
    "concurrent streams in one process, each getting a live change",
    "≥ 10000",
    cap ? Math.min(cap.live, cap.delivered) : undefined,
    "streams",
    (v) => v >= 10_000,
  );

  const fullTier = sizes.fanout.fullArrayTiers[0] ?? 1000;
  const oursBytes = phaseOf(results, "ours", fullTier, "lone")?.bytesPerDelivery;
  const fullBytes = phaseOf(results, "full", fullTier, "lone")?.bytesPerDelivery;
  add(
    `bytes per delivered change ÷ the full-array design (${sizes.fanout.history} intentions)`,
    "≤ 1/100",
    ratio(oursBytes, fullBytes),
    "ratio",
    (v) => v <= 0.01,
    { oursBytes, fullBytes },
  );

  const reload = results.reload;
  add(
    `reload bytes, ${sizes.reload.spaces} spaces, one missed: with cursors ÷ without`,
    "≤ 1/20",
    reload?.ratio,
    "ratio",
    (v) =>
      v <= 0.05 &&
      reload !== undefined &&
      reload.missedDelivered >= reload.clients &&
      reload.live.withCursors === reload.clients &&
      reload.live.withoutCursors === reload.clients,
    {
      withCursorsBytes: reload?.withCursorsBytes,
      withoutCursorsBytes: reload?.withoutCursorsBytes,
    },
  );

  const largest = results.catchup.at(-1);
  const exp = largest ? `10^${Math.log10(largest.intentions)}` : "?";
  const plans = results.catchup.length > 0 && results.catchup.every((c) => c.indexScan);
  add(
    `resume of 50 missed from the largest space (${exp}): ours ÷ a full scan, with index plans at every size`,
    "≤ 1/100",
    ratio(largest?.resumeDbMs, largest?.fullResumeMs),
    "ratio",
    (v) => v <= 0.01 && plans,
    { oursMs: largest?.resumeDbMs, fullScanMs: largest?.fullResumeMs, indexPlans: Number(plans) },
  );

  const storms = results.storm;
  const spaces = sizes.storm.spaces;
  add(
    `reconnect storm ${k(sizes.storm.subscribers)}, warm and cold: database queries (${spaces} spaces)`,
    `≤ ${spaces}`,
    storms.length === 2 ? worst(storms.map((s) => s.resumeDbQueries)) : undefined,
    "queries",
    (v) => v <= spaces,
  );

  const cold = storms.find((s) => s.variant === "cold");
  const sioConnect = results.connectStorm.find((s) => s.peer === "sio");
  const allLive = (s: { live: number; subscribers: number; allLiveMs: number } | undefined) =>
    s && s.live === s.subscribers ? s.allLiveMs : undefined;
  add(
    `reconnect storm ${k(sizes.storm.subscribers)}, cold: all live within, ours ÷ Socket.IO's ${k(sizes.storm.subscribers)} connect time`,
    "≤ 1.5",
    ratio(allLive(cold), allLive(sioConnect)),
    "ratio",
    (v) => v <= 1.5,
    { oursMs: cold?.allLiveMs, sioMs: sioConnect?.allLiveMs },
  );
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
