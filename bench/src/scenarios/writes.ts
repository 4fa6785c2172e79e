import { type Histogram, percentiles, record } from "../hist.ts";
import { cpuMicros } from "../proc.ts";
import type { Running } from "../servers.ts";
import { createSpaces, type Stack } from "../stack.ts";
import { post, type WriteTarget } from "../writer.ts";

export type WriteSizes = { spaces: number[]; concurrency: number; seconds: number };

export type WriteFigures = {
  spaces: number;
  concurrency: number;
  accepted: number;
  failed: number;
  perSecond: number;
  latencyMs: ReturnType<typeof percentiles>;
  serverCpuMicrosPerWrite: number;
};

/**
 * Intentions accepted per second through the API (auth, membership, rate limit, commit
 * clock, notify): `concurrency` writers spread over `spaces` spaces, no subscribers.
 * Writers of one space queue on its row lock by design (DESIGN §3).
 */
export async function runWrites(
  stack: Stack,
  server: Running,
  sizes: WriteSizes,
  log: (line: string) => void,
): Promise<WriteFigures[]> {
  const all = await createSpaces(stack, Math.max(...sizes.spaces), "writes");
  const figures: WriteFigures[] = [];
  for (const count of sizes.spaces) {
    const row = await measureWrites(
      server.target,
      () => cpuMicros(server.pid),
      all.slice(0, count),
      sizes,
    );
    figures.push(row);
    log(
      `  ${count} space(s): ${row.perSecond}/s accepted (${row.failed} failed), p50 ${row.latencyMs.p50} ` +
        `p99 ${row.latencyMs.p99} ms, ${Math.round(row.serverCpuMicrosPerWrite)} µs server CPU/write`,
    );
  }
  const limit = await measureRateLimitTakes(stack, sizes.concurrency, Math.min(2, sizes.seconds));
  log(
    `  rate limit alone (in every write above): ${limit.perSecond} takes/s on one being's key, ` +
      `mean ${limit.meanMs.toFixed(2)} ms per take`,
  );
  return figures;
}

/**
 * One write load: `concurrency` writers posting round-robin over `spaces` for `seconds`,
 * after a warm-up (JIT and the connection pool); `cpu` reads the server's CPU time (µs).
 * The write floor and the ceiling (write-floor.ts, write-ceiling.ts) drive the same load.
 */
export async function measureWrites(
  /** One target, or one per writer (writer i posts as `targets[i % length]`). */
  targets: WriteTarget | WriteTarget[],
  cpu: () => number,
  spaces: string[],
  sizes: { concurrency: number; seconds: number },
  /** Started and stopped with the timed phase (the ceiling's samplers). */
  phase?: { start(): void; stop(): void },
): Promise<WriteFigures> {
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
  const elapsed = (performance.now() - started) / 1000;
  const used = cpu() - cpu0;
  phase?.stop();
  return {
    spaces: spaces.length,
    concurrency: sizes.concurrency,
    accepted,
    failed,
    perSecond: Math.round(accepted / elapsed),
    latencyMs: percentiles(hist),
    serverCpuMicrosPerWrite: used / Math.max(1, accepted),
  };
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
