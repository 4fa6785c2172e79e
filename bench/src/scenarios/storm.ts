import { statSync } from "node:fs";
import type { Fleet } from "../load/fleet.ts";
import { delta, scrape } from "../metrics.ts";
import { cpuMicros } from "../proc.ts";
import { type Running, streamTarget } from "../servers.ts";
import { createSpaces, fillSpace, type Stack, serverLogPath } from "../stack.ts";
import { postMarked } from "../writer.ts";

export type StormSizes = { subscribers: number; spaces: number; missed: number };

/** Subscribers already open on the fleet (by the capacity run): their spaces, what they saw. */
export type Held = { spaces: string[]; seen: number; nextSeq: number };

export type StormFigures = {
  variant: "warm" | "cold";
  subscribers: number;
  spaces: number;
  live: number;
  /** From the first reconnect attempt to the last catch-up frame. */
  allLiveMs: number;
  syncDbQueries: number;
  /** Queries that served resumes: database catch-ups and resets (the safety poll excluded). */
  resumeDbQueries: number;
  catchupsFromRing: number;
  catchupsFromDb: number;
  resets: number;
  /**
   * Every statement the database ran meanwhile (its log with log_statement = all; auth and
   * access checks included).
   */
  dbStatements: number;
  /** Server CPU from the first reconnect to the last catch-up, per stream opened. */
  serverCpuMicrosPerResume: number;
  errors: Record<string, number>;
  integrity: { duplicates: number; gaps: number; missing: number };
};

/**
 * 5k subscribers over a few spaces drop at once and resume with their cursors, having
 * missed a few changes each. Warm: the clients dropped, this server kept its channels.
 * Cold: the server restarted, so every channel starts empty.
 */
export async function runStorm(
  stack: Stack,
  fleet: Fleet,
  server: Running,
  sizes: StormSizes,
  log: (line: string) => void,
  held?: Held,
): Promise<StormFigures[]> {
  let spaces = held?.spaces ?? [];
  if (!held) {
    spaces = await createSpaces(stack, sizes.spaces, "storm");
    for (const space of spaces) await fillSpace(stack, space, 100);
    const subscribers = Array.from(
      { length: sizes.subscribers },
      (_, i) => spaces[i % spaces.length] as string,
    );
    await fleet.open({
      ...streamTarget(server),
      spaces: subscribers,
      maxPending: 256,
    });
  }
  const opened = await fleet.waitLive(120_000);
  log(`  ${opened.live}/${sizes.subscribers} live over ${sizes.spaces} spaces`);
  const seenBefore = held?.seen ?? 0;
  let seq = held?.nextSeq ?? 1;
  const postEach = async (phase: string, count: number) => {
    for (let i = 0; i < count; i++) {
      await Promise.all(spaces.map((space) => postMarked(server.target, space, seq++, phase)));
    }
  };
  await postEach("before", 1);
  await fleet.waitPhase("before", 1, 30_000);
  const figures: StormFigures[] = [];
  for (const variant of ["warm", "cold"] as const) {
    await fleet.drop();
    if (variant === "cold") await server.restart();
    await postEach(`missed-${variant}`, sizes.missed);
    await Bun.sleep(1200); // the flushes of the missed changes (batch window) are not the storm's
    const metrics0 = await scrape(server.url);
    const logPath = await serverLogPath(stack);
    const logOffset = statSync(logPath).size;
    const cpu0 = cpuMicros(server.pid);
    await fleet.resume();
    const status = await fleet.waitLive(60_000);
    const cpu = cpuMicros(server.pid) - cpu0;
    const dbStatements = await countStatements(logPath, logOffset);
    const metrics = delta(await scrape(server.url), metrics0);
    await fleet.waitPhase(`missed-${variant}`, sizes.missed, 10_000);
    const row: StormFigures = {
      variant,
      subscribers: sizes.subscribers,
      spaces: sizes.spaces,
      live: status.live,
      allLiveMs: Math.round(status.lastLive - status.firstStart),
      syncDbQueries: metrics.rhizome_sync_db_queries_total ?? 0,
      resumeDbQueries:
        (metrics.rhizome_catchups_db_total ?? 0) + (metrics.rhizome_resets_total ?? 0),
      catchupsFromRing: metrics.rhizome_catchups_ring_total ?? 0,
      catchupsFromDb: metrics.rhizome_catchups_db_total ?? 0,
      resets: metrics.rhizome_resets_total ?? 0,
      dbStatements,
      serverCpuMicrosPerResume: cpu / Math.max(1, status.live),
      errors: status.errors,
      // Each subscriber sees its own space: one change before, `missed` per storm so far.
      integrity: await fleet.integrity(
        seenBefore + 1 + sizes.missed * (variant === "warm" ? 1 : 2),
      ),
    };
    figures.push(row);
    log(
      `  ${variant}: ${row.live}/${row.subscribers} live in ${row.allLiveMs} ms, resume queries ${row.resumeDbQueries}, sync queries ${row.syncDbQueries} ` +
        `(ring ${row.catchupsFromRing}, db ${row.catchupsFromDb}, resets ${row.resets}), db statements ${row.dbStatements}, ` +
        `${Math.round(row.serverCpuMicrosPerResume)} µs CPU/resume`,
    );
  }
  await fleet.closeAll();
  return figures;
}

/** Statements logged since `offset` (simple-protocol statements and prepared executes). */
async function countStatements(path: string, offset: number): Promise<number> {
  const text = await Bun.file(path).slice(offset).text();
  return text.match(/LOG: {2}(statement|execute [^:]*):/g)?.length ?? 0;
}
