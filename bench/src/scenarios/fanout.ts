import { type Histogram, median, type Percentiles, percentiles, quantile } from "../hist.ts";
import type { Fleet } from "../load/fleet.ts";
import type { Kind } from "../load/protocol.ts";
import { delta, scrape } from "../metrics.ts";
import { cpuSplit, rssBytes, serverSocketBytes, untilQuiet, wallMs } from "../proc.ts";
import { FANOUT_WORKERS, launch, type Running, streamTarget } from "../servers.ts";
import { createSpaces, fillSpace, type Stack } from "../stack.ts";
import { runSchedule, type Schedule, warmWritePath } from "../writer.ts";

/** Streams opened and closed before the RSS baseline, on every server alike. */
const WARM_STREAMS = 200;

/** Peers do not batch: a lone post is delivered long before the next one 400 ms later. */
const PEER_LONE_SPACING_MS = 400;

export type FanoutSizes = {
  tiers: number[];
  /** Subscriber counts at which the full-array design runs (it moves ~150 KB per change). */
  fullArrayTiers: number[];
  history: number;
  phases: { name: string; schedule: Schedule }[];
};

export type PhaseFigures = {
  phase: string;
  messages: number;
  failedPosts: number;
  deliveries: number;
  expected: number;
  complete: boolean;
  latencyMs: Percentiles;
  /**
   * The median over the phase's messages of each message's own p50 and p99: what a typical
   * message costs, where `latencyMs` pools every delivery and so follows the worst messages.
   */
  medianMessageMs: { p50: number; p99: number };
  durationMs: number;
  deliveriesPerSec: number;
  serverCpuMicros: number;
  cpuMicrosPerDelivery: number;
  /** The user-space share: the rest is the kernel's, sends over loopback included. */
  userMicrosPerDelivery: number;
  bytes: number;
  bytesPerDelivery: number;
  /** Ours: frames each subscriber received in this phase (batching folds changes into frames). */
  framesPerSubscriber?: number;
};

export type TierFigures = {
  peer: Kind;
  subscribers: number;
  live: number;
  connectMs: number;
  connectErrors: Record<string, number>;
  rssBaselineBytes: number;
  rssConnectedBytes: number;
  /** RSS after the phases, connections still open: connect-time garbage collected by then. */
  rssSettledBytes: number;
  rssPerConnBytes: number;
  phases: PhaseFigures[];
  integrity: { duplicates: number; gaps: number; missing: number };
};

async function runPhase(
  server: Running,
  fleet: Fleet,
  space: string,
  n: number,
  seq: number,
  phase: { name: string; schedule: Schedule },
): Promise<PhaseFigures> {
  const count = phase.schedule.count;
  const metrics0 = server.kind === "ours" ? await scrape(server.url) : {};
  const bytes0 = serverSocketBytes(server.port);
  const cpu0 = cpuSplit(server.pid);
  const started = wallMs();
  const failedPosts = await runSchedule(server.target, space, phase.name, seq, phase.schedule);
  const result = await fleet.waitPhase(phase.name, count - failedPosts, 60_000);
  const cpu1 = cpuSplit(server.pid);
  const user = cpu1.user - cpu0.user;
  const cpu = user + cpu1.system - cpu0.system;
  const bytes = serverSocketBytes(server.port).bytesAcked - bytes0.bytesAcked;
  const metrics = server.kind === "ours" ? delta(await scrape(server.url), metrics0) : {};
  const durationMs = Math.max(1, result.lastAt - started);
  const deliveries = Math.max(1, result.deliveries);
  return {
    phase: phase.name,
    messages: count,
    failedPosts,
    deliveries: result.deliveries,
    expected: count * n,
    complete: result.done,
    latencyMs: percentiles(result.hist),
    medianMessageMs: medianMessage(Object.values(result.bySeq)),
    durationMs: Math.round(durationMs),
    deliveriesPerSec: Math.round((result.deliveries * 1000) / durationMs),
    serverCpuMicros: Math.round(cpu),
    cpuMicrosPerDelivery: cpu / deliveries,
    userMicrosPerDelivery: user / deliveries,
    bytes,
    bytesPerDelivery: bytes / deliveries,
    framesPerSubscriber:
      server.kind === "ours" ? (metrics.rhizome_frames_sent_total ?? 0) / n : undefined,
  };
}

/** The median message's p50 and p99, from one histogram per message. */
export function medianMessage(perMessage: Histogram[]): { p50: number; p99: number } {
  return {
    p50: median(
      perMessage.map((hist) => quantile(hist, 0.5)),
      0,
    ),
    p99: median(
      perMessage.map((hist) => quantile(hist, 0.99)),
      0,
    ),
  };
}

/** One server, one space with `history` intentions, `n` subscribers, every phase. */
export async function runTier(
  stack: Stack,
  fleet: Fleet,
  kind: Kind,
  n: number,
  sizes: FanoutSizes,
  log: (line: string) => void,
  sioRuntime = "node",
): Promise<TierFigures> {
  // The write path is warmed in a space of its own: the measured one keeps its history.
  const [space, warmSpace] = await createSpaces(stack, 2, `fanout ${kind} ${n}`);
  await fillSpace(stack, space as string, sizes.history);
  const server = await launch(kind, stack, sioRuntime, { workers: FANOUT_WORKERS });
  try {
    // Warm the write path (JIT, every pool connection) before anything is measured.
    await warmWritePath([server.target], warmSpace as string);
    const spec = {
      ...streamTarget(server),
      maxPending: 256,
    };
    // And the stream-open path, so that the RSS baseline holds the code every connection
    // runs (JIT code, compiled validators) and the growth is what connections hold.
    await fleet.open({ ...spec, spaces: Array(WARM_STREAMS).fill(space) });
    await fleet.waitLive(30_000);
    await fleet.closeAll();
    await Bun.sleep(kind === "ours" ? 1100 : 300); // our batch window closes: the next post leads
    const rssBaselineBytes = rssBytes(server.pid);
    const openedAt = wallMs();
    await fleet.open({ ...spec, spaces: Array(n).fill(space) });
    const status = await fleet.waitLive(120_000);
    const connectMs = Math.round(status.lastLive - openedAt);
    await Bun.sleep(300);
    const rssConnectedBytes = rssBytes(server.pid);
    log(`  ${kind} ×${n}: ${status.live}/${n} live in ${connectMs} ms (server pid ${server.pid})`);
    const phases: PhaseFigures[] = [];
    let seq = 1;
    for (const phase of sizes.phases) {
      const settledMs = await untilQuiet(server.pid);
      if (settledMs > 500) log(`    (${kind} busy for ${settledMs} ms before ${phase.name})`);
      // Lone spacing only matters to ours (the batch window); peers emit each post at once.
      const schedule =
        kind !== "ours" && phase.schedule.kind === "lone"
          ? { ...phase.schedule, spacingMs: PEER_LONE_SPACING_MS }
          : phase.schedule;
      const figures = await runPhase(server, fleet, space as string, n, seq, {
        ...phase,
        schedule,
      });
      seq += phase.schedule.count;
      phases.push(figures);
      log(
        `    ${phase.name}: p50 ${figures.latencyMs.p50} p99 ${figures.latencyMs.p99} ms, ` +
          `${figures.cpuMicrosPerDelivery.toFixed(2)} µs/delivery ` +
          `(user ${figures.userMicrosPerDelivery.toFixed(2)}), ` +
          `${Math.round(figures.bytesPerDelivery)} B/delivery, ${figures.deliveries}/${figures.expected}`,
      );
      await Bun.sleep(server.kind === "ours" ? 1100 : 200); // let our batch window close
    }
    const rssSettledBytes = rssBytes(server.pid);
    const integrity = await fleet.integrity(seq - 1);
    await fleet.closeAll();
    return {
      peer: kind,
      subscribers: n,
      live: status.live,
      connectMs,
      connectErrors: status.errors,
      rssBaselineBytes,
      rssConnectedBytes,
      rssSettledBytes,
      rssPerConnBytes: (rssSettledBytes - rssBaselineBytes) / Math.max(1, status.live),
      phases,
      integrity,
    };
  } finally {
    await server.stop();
  }
}
