import { median } from "../hist.ts";
import type { Fleet } from "../load/fleet.ts";
import { delta, scrape } from "../metrics.ts";
import { type Running, streamTarget } from "../servers.ts";
import { createSpaces, fillSpace, type Stack } from "../stack.ts";
import { CATCHUP_SQL, CURSOR_BACK_SQL, FULL_SCAN_SQL } from "./catchup-sql.ts";

export type CatchupSizes = {
  sizes: number[];
  missed: number;
  repeats: number;
  fullRepeats: number;
};

export type CatchupFigures = {
  intentions: number;
  loadSeconds: number;
  /** Ours, end to end (request → catch-up frame read), resumes served by a database read. */
  resumeDbMs: number;
  /** Ours, the same resume served from the channel's memory ring, for reference. */
  resumeRingMs: number;
  changesInFrame: number;
  dbCatchups: number;
  catchupStatementMs: number;
  catchupExplainMs: number;
  catchupPlan: string;
  indexScan: boolean;
  /** The full-array design: connect → its first frame (every intention of the space). */
  fullResumeMs: number;
  fullFrameBytes: number;
  fullScanStatementMs: number;
  fullScanExplainMs: number;
  fullScanPlan: string;
  speedup: number;
};

/** Opens a stream and reads until its first frame is complete: ms and the frame's bytes. */
async function firstFrame(url: string, token?: string) {
  const started = performance.now();
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: controller.signal,
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done || !value) break;
    chunks.push(value);
    bytes += value.byteLength;
    if (value.at(-1) === 10 && value.at(-2) === 10) break;
  }
  const ms = performance.now() - started;
  controller.abort();
  const text = bytes < 1_000_000 ? Buffer.concat(chunks).toString() : "";
  return { ms, bytes, text };
}

async function timeStatement(stack: Stack, sql: string, params: unknown[], repeats: number) {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await stack.sql.unsafe(sql, params as never[], { prepare: true });
    times.push(performance.now() - started);
  }
  return median(times);
}

async function explain(stack: Stack, sql: string, params: unknown[]) {
  const rows = await stack.sql.unsafe(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params as never[]);
  const plan = rows.map((row) => Object.values(row)[0] as string).join("\n");
  const ms = Number(plan.match(/Execution Time: ([\d.]+) ms/)?.[1] ?? Number.NaN);
  return { plan, ms };
}

export async function runCatchup(
  stack: Stack,
  fleet: Fleet,
  ours: Running,
  full: Running,
  sizes: CatchupSizes,
  log: (line: string) => void,
): Promise<CatchupFigures[]> {
  const figures: CatchupFigures[] = [];
  for (const n of sizes.sizes) {
    const [space] = (await createSpaces(stack, 1, `catch-up ${n}`)) as [string];
    const loadStarted = performance.now();
    await fillSpace(stack, space, n);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const [back] = await stack.sql.unsafe(CURSOR_BACK_SQL, [space, sizes.missed]);
    const since = back?.cursor as string;
    const [head] =
      await stack.sql`SELECT to_char(head AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS head FROM spaces WHERE id = ${space}`;
    // A live subscriber without a cursor pins the channel with its ring floor at the head,
    // so every resume from `since` (older than the floor) is served by a database read.
    await fleet.open({
      ...streamTarget(ours),
      spaces: [space],
    });
    await fleet.waitLive(30_000);
    const stream = `${ours.url}/api/stream?spaceId=${space}&since=`;
    const token = ours.target.token;
    for (let i = 0; i < 3; i++) await firstFrame(stream + encodeURIComponent(since), token);
    const before = await scrape(ours.url);
    // Database resumes and ring resumes interleaved, so that both see the same machine load.
    const dbTimes: number[] = [];
    const ringTimes: number[] = [];
    let text = "";
    for (let i = 0; i < sizes.repeats; i++) {
      const result = await firstFrame(stream + encodeURIComponent(since), token);
      dbTimes.push(result.ms);
      text = result.text;
      ringTimes.push((await firstFrame(stream + encodeURIComponent(head?.head), token)).ms);
    }
    if (process.env.DEBUG_CATCHUP)
      log(`    db resumes: ${dbTimes.map((t) => t.toFixed(1)).join(" ")}`);
    const dbCatchups = delta(await scrape(ours.url), before).rhizome_catchups_db_total ?? 0;
    await fleet.closeAll();
    const params = [space, since, 51];
    const catchupStatementMs = await timeStatement(stack, CATCHUP_SQL, params, sizes.repeats);
    const catchupExplain = await explain(stack, CATCHUP_SQL, params);
    const fullTimes: number[] = [];
    let fullFrameBytes = 0;
    for (let i = 0; i < sizes.fullRepeats; i++) {
      const result = await firstFrame(`${full.url}/stream?space=${space}`);
      fullTimes.push(result.ms);
      fullFrameBytes = result.bytes;
    }
    const fullScanStatementMs = await timeStatement(
      stack,
      FULL_SCAN_SQL,
      [space],
      sizes.fullRepeats,
    );
    const fullExplain = await explain(stack, FULL_SCAN_SQL, [space]);
    const resumeDbMs = median(dbTimes);
    const fullResumeMs = median(fullTimes);
    const row: CatchupFigures = {
      intentions: n,
      loadSeconds,
      resumeDbMs,
      resumeRingMs: median(ringTimes),
      changesInFrame: (text.match(/"content":/g) ?? []).length,
      dbCatchups,
      catchupStatementMs,
      catchupExplainMs: catchupExplain.ms,
      catchupPlan: catchupExplain.plan,
      indexScan: usesCatchupIndex(catchupExplain.plan, params[2] as number),
      fullResumeMs,
      fullFrameBytes,
      fullScanStatementMs,
      fullScanExplainMs: fullExplain.ms,
      fullScanPlan: fullExplain.plan,
      speedup: fullResumeMs / resumeDbMs,
    };
    figures.push(row);
    log(
      `  10^${Math.log10(n)}: resume ${resumeDbMs.toFixed(2)} ms (db ×${dbCatchups}, ring ${row.resumeRingMs.toFixed(2)} ms, ` +
        `statement ${catchupStatementMs.toFixed(2)} ms), full array ${fullResumeMs.toFixed(1)} ms ` +
        `(${(fullFrameBytes / 1e6).toFixed(1)} MB) → ×${row.speedup.toFixed(0)}, index scan ${row.indexScan}`,
    );
  }
  return figures;
}

/**
 * The catch-up plan reads through the (space_id, updated_at) index (an index scan, or a
 * bitmap index scan the planner prefers for small spaces) no more rows than the limit, and
 * never scans the table.
 */
export function usesCatchupIndex(plan: string, limit: number): boolean {
  const line = plan
    .split("\n")
    .find((l) =>
      /(Index|Index Only|Bitmap Index) Scan (using|on) intentions_space_updated_idx/.test(l),
    );
  const rows = Number(line?.match(/actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/)?.[1] ?? Number.NaN);
  return line !== undefined && rows <= limit && !/Seq Scan on intentions/.test(plan);
}
