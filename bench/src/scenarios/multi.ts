import type { Fleet } from "../load/fleet.ts";
import { delta, scrape } from "../metrics.ts";
import { rssBytes, settledRssBytes, wallMs } from "../proc.ts";
import { type Running, streamTarget } from "../servers.ts";
import { createSpaces, type Stack } from "../stack.ts";
import { postMarked } from "../writer.ts";

export type MultiSizes = {
  /** Multi-space streams (one `POST /api/stream` each) held by one process. */
  streams: number;
  /** Spaces followed by each stream: from this many up to `maxSpacesPerStream`. */
  spacesPerStream: number;
  maxSpacesPerStream: number;
  /** Distinct spaces the streams' spaces are drawn from (each followed by many streams). */
  pool: number;
  /** Intentions of history in each space. */
  history: number;
  /** Each entry's reset page: 1, as a sidebar asks for the latest intention. */
  page: number;
  /** Spaces that get one live change after every stream is live. */
  posted: number;
};

/** Every multi-space stream drops and resumes at once with its cursors (warm server). */
export type MultiStormFigures = {
  live: number;
  allLiveMs: number;
  /** Database catch-ups and resets serving the resumes. */
  resumeDbQueries: number;
  catchupsFromRing: number;
  catchupsFromDb: number;
  resets: number;
  /** The changes missed meanwhile (one in each posted space), delivered in the catch-ups. */
  expectedDeliveries: number;
  deliveries: number;
  errors: Record<string, number>;
};

export type MultiFigures = {
  streams: number;
  spacesPerStream: number;
  maxSpacesPerStream: number;
  pool: number;
  positions: number;
  live: number;
  /** First frames received, out of `positions` (each space of each stream gets one). */
  firstFrames: number;
  connectMs: number;
  /** Live changes posted, followers expected to get them, deliveries counted. */
  posted: number;
  expectedDeliveries: number;
  deliveries: number;
  deliveryMs: number;
  rssBaselineBytes: number;
  rssConnectedBytes: number;
  rssSettledBytes: number;
  /** Settled RSS growth per followed position and per stream. */
  rssPerPositionBytes: number;
  rssPerConnBytes: number;
  duplicates: number;
  gaps: number;
  errors: Record<string, number>;
  storm: MultiStormFigures;
};

/**
 * Stream `i` follows `perStream + i mod (maxPerStream - perStream + 1)` consecutive spaces
 * of the pool, each stream starting where the previous one ended (wrapping around).
 */
export function streamSpaces(
  pool: string[],
  streams: number,
  perStream: number,
  maxPerStream = perStream,
): string[][] {
  if (maxPerStream > pool.length) throw new Error("a stream follows distinct spaces");
  let next = 0;
  return Array.from({ length: streams }, (_, i) => {
    const count = perStream + (i % (maxPerStream - perStream + 1));
    const spaces = Array.from(
      { length: count },
      (_, j) => pool[(next + j) % pool.length] as string,
    );
    next += count;
    return spaces;
  });
}

/** Creates `count` intentions of history in each space at once (the rules of `fillSpace`). */
export async function fillSpaces(stack: Stack, ids: string[], count: number): Promise<void> {
  if (count === 0) return;
  await stack.sql.begin(async (tx) => {
    await tx`
      WITH s AS (SELECT id, head FROM spaces WHERE id = ANY(${ids}::uuid[]) FOR UPDATE)
      INSERT INTO intentions (id, space_id, author_id, content, created_at, updated_at)
      SELECT gen_random_uuid(), s.id, ${stack.being.id}, 'history ' || g || ' ' || repeat('y', 64),
             s.head + g * interval '1 microsecond', s.head + g * interval '1 microsecond'
      FROM s, generate_series(1, ${count}) g`;
    await tx`UPDATE spaces SET head = head + ${count} * interval '1 microsecond'
             WHERE id = ANY(${ids}::uuid[])`;
  });
  await stack.sql`ANALYZE intentions`;
}

/**
 * One process holds `streams` multi-space streams of `spacesPerStream` spaces each (a
 * messenger's sidebar, a bot): RSS per followed position, every first frame, then one live
 * change in a few spaces reaching every follower of them.
 */
export async function runMulti(
  stack: Stack,
  fleet: Fleet,
  server: Running,
  sizes: MultiSizes,
  log: (line: string) => void,
): Promise<MultiFigures> {
  const pool = await createSpaces(stack, sizes.pool, "multi");
  await fillSpaces(stack, pool, sizes.history);
  const streams = streamSpaces(
    pool,
    sizes.streams,
    sizes.spacesPerStream,
    sizes.maxSpacesPerStream,
  );
  const positions = streams.reduce((n, spaces) => n + spaces.length, 0);
  const spec = {
    ...streamTarget(server),
    spaces: [],
    page: sizes.page,
    maxPending: 64,
  };
  // Warm every code path first (JIT code, compiled validators, prepared statements: a fixed
  // cost of the process, not of a position), on spaces of their own, as the memory probe does.
  const warm = await createSpaces(stack, sizes.maxSpacesPerStream, "multi warm-up");
  await fillSpaces(stack, warm, sizes.history);
  await fleet.open({ ...spec, streams: streamSpaces(warm, 40, sizes.maxSpacesPerStream) });
  await fleet.waitLive(60_000);
  await fleet.closeAll();
  // Both readings once RSS has settled: the warm-up's garbage is no baseline either.
  const rssBaselineBytes = await settledRssBytes(server.pid);
  const started = wallMs();
  await fleet.open({ ...spec, streams });
  const status = await fleet.waitLive(300_000);
  const connectMs = Math.round(status.lastLive - started);
  const rssConnectedBytes = rssBytes(server.pid);
  log(
    `  ${status.live}/${sizes.streams} streams live in ${connectMs} ms, ` +
      `${status.firstFrames}/${positions} first frames`,
  );
  // Spread the posted spaces over the pool; seq 1.. (one change per space).
  const posted = Array.from(
    { length: sizes.posted },
    (_, i) => pool[Math.floor((i * pool.length) / sizes.posted)] as string,
  );
  const t0 = wallMs();
  await Promise.all(posted.map((space, i) => postMarked(server.target, space, i + 1, "multi")));
  const result = await fleet.waitPhase("multi", 1, 30_000, posted);
  const expectedDeliveries = streams.reduce(
    (n, spaces) => n + spaces.filter((s) => posted.includes(s)).length,
    0,
  );
  // What the streams hold, not the opening burst's garbage not yet returned to the system.
  const rssSettledBytes = await settledRssBytes(server.pid);
  const integrity = await fleet.integrity(0);
  const after = await fleet.status();
  const storm = await multiStorm(fleet, server, posted, expectedDeliveries);
  await fleet.closeAll();
  const growth = rssSettledBytes - rssBaselineBytes;
  const figures: MultiFigures = {
    streams: sizes.streams,
    spacesPerStream: sizes.spacesPerStream,
    maxSpacesPerStream: sizes.maxSpacesPerStream,
    pool: sizes.pool,
    positions,
    live: status.live,
    firstFrames: status.firstFrames,
    connectMs,
    posted: posted.length,
    expectedDeliveries,
    deliveries: result.deliveries,
    deliveryMs: Math.round(result.lastAt - t0),
    rssBaselineBytes,
    rssConnectedBytes,
    rssSettledBytes,
    rssPerPositionBytes: growth / Math.max(1, status.firstFrames),
    rssPerConnBytes: growth / Math.max(1, status.live),
    duplicates: integrity.duplicates,
    gaps: integrity.gaps,
    errors: after.errors,
    storm,
  };
  log(
    `  ${figures.deliveries}/${expectedDeliveries} live deliveries in ${figures.deliveryMs} ms; ` +
      `RSS +${Math.round(growth / 2 ** 20)} MB: ${Math.round(figures.rssPerPositionBytes)} B/position, ` +
      `${Math.round(figures.rssPerConnBytes / 1024)} KB/stream`,
  );
  log(
    `  storm: ${storm.live}/${sizes.streams} streams resumed in ${storm.allLiveMs} ms, ` +
      `resume queries ${storm.resumeDbQueries} (ring ${storm.catchupsFromRing}, db ${storm.catchupsFromDb}, ` +
      `resets ${storm.resets}), missed ${storm.deliveries}/${storm.expectedDeliveries} delivered`,
  );
  return figures;
}

/** Every stream drops; one change lands in each posted space; all resume at once. */
async function multiStorm(
  fleet: Fleet,
  server: Running,
  posted: string[],
  expectedDeliveries: number,
): Promise<MultiStormFigures> {
  await fleet.drop();
  const seq = posted.length + 1;
  await Promise.all(
    posted.map((space, i) => postMarked(server.target, space, seq + i, "multi-missed")),
  );
  await Bun.sleep(1200); // the missed changes' flushes (batch window) are not the storm's
  const metrics0 = await scrape(server.url);
  await fleet.resume();
  const status = await fleet.waitLive(120_000);
  const metrics = delta(await scrape(server.url), metrics0);
  const result = await fleet.waitPhase("multi-missed", 1, 30_000, posted);
  return {
    live: status.live,
    allLiveMs: Math.round(status.lastLive - status.firstStart),
    resumeDbQueries: (metrics.rhizome_catchups_db_total ?? 0) + (metrics.rhizome_resets_total ?? 0),
    catchupsFromRing: metrics.rhizome_catchups_ring_total ?? 0,
    catchupsFromDb: metrics.rhizome_catchups_db_total ?? 0,
    resets: metrics.rhizome_resets_total ?? 0,
    expectedDeliveries,
    deliveries: result.deliveries,
    errors: status.errors,
  };
}
