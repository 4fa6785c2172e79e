import type { Fleet } from "../load/fleet.ts";
import { rssBytes, wallMs } from "../proc.ts";
import type { Running } from "../servers.ts";
import { createSpaces, type Stack } from "../stack.ts";
import { postMarked } from "../writer.ts";

export type MultiSizes = {
  /** Multi-space streams (one `POST /api/stream` each) held by one process. */
  streams: number;
  /** Spaces followed by each stream. */
  spacesPerStream: number;
  /** Distinct spaces the streams' spaces are drawn from (each followed by many streams). */
  pool: number;
  /** Intentions of history in each space. */
  history: number;
  /** Each entry's reset page: 1, as a sidebar asks for the latest intention. */
  page: number;
  /** Spaces that get one live change after every stream is live. */
  posted: number;
};

export type MultiFigures = {
  streams: number;
  spacesPerStream: number;
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
};

/** Stream `i` follows `spacesPerStream` consecutive spaces of the pool, from `i × spacesPerStream`. */
export function streamSpaces(pool: string[], streams: number, perStream: number): string[][] {
  if (perStream > pool.length) throw new Error("a stream follows distinct spaces");
  return Array.from({ length: streams }, (_, i) =>
    Array.from({ length: perStream }, (_, j) => pool[(i * perStream + j) % pool.length] as string),
  );
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
  const streams = streamSpaces(pool, sizes.streams, sizes.spacesPerStream);
  const positions = sizes.streams * sizes.spacesPerStream;
  await Bun.sleep(1000);
  const rssBaselineBytes = rssBytes(server.pid);
  const started = wallMs();
  await fleet.open({
    kind: "ours",
    host: "127.0.0.1",
    port: server.port,
    token: server.target.token,
    spaces: [],
    streams,
    page: sizes.page,
    maxPending: 64,
  });
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
  await Bun.sleep(2000); // let the collector reclaim connect-time garbage before reading RSS
  const rssSettledBytes = rssBytes(server.pid);
  const integrity = await fleet.integrity(0);
  const after = await fleet.status();
  await fleet.closeAll();
  const growth = rssSettledBytes - rssBaselineBytes;
  const figures: MultiFigures = {
    streams: sizes.streams,
    spacesPerStream: sizes.spacesPerStream,
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
  };
  log(
    `  ${figures.deliveries}/${expectedDeliveries} live deliveries in ${figures.deliveryMs} ms; ` +
      `RSS +${Math.round(growth / 2 ** 20)} MB: ${Math.round(figures.rssPerPositionBytes)} B/position, ` +
      `${Math.round(figures.rssPerConnBytes / 1024)} KB/stream`,
  );
  return figures;
}
