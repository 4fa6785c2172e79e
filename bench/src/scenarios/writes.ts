import { type Histogram, merge, percentiles, record } from "../hist.ts";
import { cpuMicros } from "../proc.ts";
import type { Running } from "../servers.ts";
import { createSpaces, type Stack } from "../stack.ts";
import { post, type WriteTarget } from "../writer.ts";
import { startWriteFloor, type WriteFloorFigures } from "./write-floor.ts";

export type WriteSizes = {
  spaces: number[];
  concurrency: number;
  /** One timed pass; ours and the floor take turns, `passes` each, at every space count. */
  seconds: number;
  passes: number;
};

export type WriteFigures = {
  spaces: number;
  concurrency: number;
  /** Timed passes summed into this figure (ours and the floor alternate between passes). */
  passes: number;
  accepted: number;
  failed: number;
  perSecond: number;
  latencyMs: ReturnType<typeof percentiles>;
  serverCpuMicrosPerWrite: number;
};

/** One timed pass's raw counts, before passes are summed into a figure. */
export type WritePass = {
  accepted: number;
  failed: number;
  seconds: number;
  cpuMicros: number;
  hist: Histogram;
};

/**
 * Intentions accepted per second through the API (auth, membership, rate limit, commit
 * clock, notify): `concurrency` writers spread over `spaces` spaces, no subscribers.
 * Writers of one space queue on its row lock by design (DESIGN §3). At each space count,
 * ours and the write floor take turns, pass for pass, so that a neighbour's burst on this
 * shared machine falls on both rather than on one of them.
 */
export async function runWrites(
  stack: Stack,
  server: Running,
  sizes: WriteSizes,
  log: (line: string) => void,
): Promise<{ writes: WriteFigures[]; floor: WriteFloorFigures[] }> {
  const largest = Math.max(...sizes.spaces);
  const ours = await createSpaces(stack, largest, "writes");
  const floor = await startWriteFloor(stack, largest);
  const writes: WriteFigures[] = [];
  const floors: WriteFloorFigures[] = [];
  const cpu = () => cpuMicros(server.pid);
  try {
    for (const count of sizes.spaces) {
      const oursPasses: WritePass[] = [];
      const floorPasses: WritePass[] = [];
      for (let pass = 0; pass < sizes.passes; pass++) {
        oursPasses.push(await measureWritePass(server.target, cpu, ours.slice(0, count), sizes));
        floorPasses.push(
          await measureWritePass(floor.target, floor.cpu, floor.spaces(count), sizes),
        );
      }
      const mine = combinePasses(count, sizes.concurrency, oursPasses);
      const bare = combinePasses(count, sizes.concurrency, floorPasses);
      const cpuRatio = mine.serverCpuMicrosPerWrite / bare.serverCpuMicrosPerWrite;
      writes.push(mine);
      floors.push({ ...bare, cpuRatio });
      log(
        `  ${count} space(s), ${sizes.passes} passes each: ours ${mine.perSecond}/s accepted ` +
          `(${mine.failed} failed), p50 ${mine.latencyMs.p50} p99 ${mine.latencyMs.p99} ms, ` +
          `${Math.round(mine.serverCpuMicrosPerWrite)} µs server CPU/write; floor ` +
          `${bare.perSecond}/s, ${Math.round(bare.serverCpuMicrosPerWrite)} µs/write; ` +
          `ours ÷ floor ${cpuRatio.toFixed(2)}`,
      );
    }
  } finally {
    await floor.stop();
  }
  const limit = await measureRateLimitTakes(stack, sizes.concurrency, Math.min(2, sizes.seconds));
  log(
    `  rate limit alone (in every write above): ${limit.perSecond} takes/s on one being's key, ` +
      `mean ${limit.meanMs.toFixed(2)} ms per take`,
  );
  return { writes, floor: floors };
}

/** One pass as a figure of its own (the ceiling and the probes measure a single pass). */
export async function measureWrites(
  ...load: Parameters<typeof measureWritePass>
): Promise<WriteFigures> {
  const [, , spaces, sizes] = load;
  return combinePasses(spaces.length, sizes.concurrency, [await measureWritePass(...load)]);
}

/** Passes of one load as one figure: totals over every pass, percentiles over every post. */
export function combinePasses(
  spaces: number,
  concurrency: number,
  passes: WritePass[],
): WriteFigures {
  const hist: Histogram = {};
  for (const pass of passes) merge(hist, pass.hist);
  const sum = (field: "accepted" | "failed" | "seconds" | "cpuMicros") =>
    passes.reduce((total, pass) => total + pass[field], 0);
  const accepted = sum("accepted");
  return {
    spaces,
    concurrency,
    passes: passes.length,
    accepted,
    failed: sum("failed"),
    perSecond: Math.round(accepted / Math.max(1e-9, sum("seconds"))),
    latencyMs: percentiles(hist),
    serverCpuMicrosPerWrite: sum("cpuMicros") / Math.max(1, accepted),
  };
}

/**
 * One timed write load: `concurrency` writers posting round-robin over `spaces` for
 * `seconds`, after a warm-up (JIT and the connection pool); `cpu` reads the server's CPU
 * time (µs). The write floor and the ceiling (write-floor.ts, write-ceiling.ts) drive it too.
 */
export async function measureWritePass(
  /** One target, or one per writer (writer i posts as `targets[i % length]`). */
  targets: WriteTarget | WriteTarget[],
  cpu: () => number,
  spaces: string[],
  sizes: { concurrency: number; seconds: number },
  /** Started and stopped with the timed phase (the ceiling's samplers). */
  phase?: { start(): void; stop(): void },
): Promise<WritePass> {
  const as = Array.isArray(targets) ? targets : [targets];
  await Promise.all(
    spaces.slice(0, 10).map((space, i) => post(as[i % as.length] as WriteTarget, space, "warm-up")),
  );
  const hist: Histogram = {};
  let accepted = 0;
  let failed = 0;
  phase?.start();
  const cpu0 = cpu();
  const started = performance.now();
  const deadline = started + sizes.seconds * 1000;
  let next = 0;
  const lane = async (writer: number) => {
    const target = as[writer % as.length] as WriteTarget;
    while (performance.now() < deadline) {
      const space = spaces[next++ % spaces.length] as string;
      const sent = performance.now();
      const status = await post(target, space, `write ${next} ${"w".repeat(64)}`);
      record(hist, performance.now() - sent);
      if (status === 201) accepted++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: sizes.concurrency }, (_, writer) => lane(writer)));
  const seconds = (performance.now() - started) / 1000;
  const cpuMicros = cpu() - cpu0;
  phase?.stop();
  return { accepted, failed, seconds, cpuMicros, hist };
}

/**
 * The cost of the write limit on its own: the server's upsert on `rate_limits`
 * (src/data/rate-limits.ts), by `concurrency` lanes on one key, as the bench's one being does.
 */
async function measureRateLimitTakes(
  stack: Stack,
  concurrency: number,
  seconds: number,
): Promise<{ perSecond: number; meanMs: number }> {
  const key = `bench:${crypto.randomUUID()}`;
  let takes = 0;
  let busyMs = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const lane = async () => {
    while (performance.now() < deadline) {
      const windowStart = Math.floor(Date.now() / 60_000) * 60_000;
      const sent = performance.now();
      await stack.sql`
        INSERT INTO rate_limits (key, window_start, count) VALUES (${key}, ${windowStart}, 1)
        ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
        WHERE rate_limits.count < 2000000000 RETURNING count`;
      busyMs += performance.now() - sent;
      takes++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  await stack.sql`DELETE FROM rate_limits WHERE key = ${key}`;
  const elapsed = (performance.now() - started) / 1000;
  return { perSecond: Math.round(takes / elapsed), meanMs: busyMs / Math.max(1, takes) };
}
