import type { Fleet } from "../load/fleet.ts";
import { fdLimit, openFds, rssBytes, wallMs } from "../proc.ts";
import { type Running, streamTarget } from "../servers.ts";
import { createSpaces, fillSpace, type Stack } from "../stack.ts";
import { postMarked } from "../writer.ts";
import type { Held, StormSizes } from "./storm.ts";

export type CapacityFigures = {
  streams: number;
  live: number;
  delivered: number;
  connectMs: number;
  serverFds: number;
  serverFdLimit: number;
  rssPerConnBytes: number;
  errors: Record<string, number>;
};

/**
 * One process holds `streams` concurrent streams and each gets a live change. The storm's
 * subscribers (on `main`) are part of them and stay open for the storm; bystanders on
 * `extra` fill up to `streams` in other spaces and leave afterwards.
 */
export async function runCapacity(
  stack: Stack,
  main: Fleet,
  extra: Fleet,
  server: Running,
  streams: number,
  storm: StormSizes,
  log: (line: string) => void,
): Promise<{ figures: CapacityFigures; held: Held }> {
  const stormSpaces = await createSpaces(stack, storm.spaces, "storm");
  for (const space of stormSpaces) await fillSpace(stack, space, 100);
  const otherSpaces = await createSpaces(stack, storm.spaces, "capacity");
  const spread = (spaces: string[], n: number) =>
    Array.from({ length: n }, (_, i) => spaces[i % spaces.length] as string);
  const baseline = rssBytes(server.pid);
  const started = wallMs();
  const spec = {
    ...streamTarget(server),
    maxPending: 256,
  };
  await main.open({ ...spec, spaces: spread(stormSpaces, storm.subscribers) });
  await extra.open({ ...spec, spaces: spread(otherSpaces, streams - storm.subscribers) });
  const [a, b] = await Promise.all([main.waitLive(180_000), extra.waitLive(180_000)]);
  const serverFds = openFds(server.pid);
  const all = [...stormSpaces, ...otherSpaces];
  await Promise.all(all.map((space, i) => postMarked(server.target, space, i + 1, "capacity")));
  const [ra, rb] = await Promise.all([
    main.waitPhase("capacity", 1, 30_000),
    extra.waitPhase("capacity", 1, 30_000),
  ]);
  await Bun.sleep(2000); // let the collector reclaim connect-time garbage before reading RSS
  const rss = rssBytes(server.pid);
  await extra.closeAll();
  const live = a.live + b.live;
  const figures: CapacityFigures = {
    streams,
    live,
    delivered: ra.deliveries + rb.deliveries,
    connectMs: Math.round(Math.max(a.lastLive, b.lastLive) - started),
    serverFds,
    serverFdLimit: fdLimit(server.pid),
    rssPerConnBytes: (rss - baseline) / Math.max(1, live),
    errors: { ...a.errors, ...b.errors },
  };
  log(
    `  ${live}/${streams} streams live in ${figures.connectMs} ms, ${figures.delivered} got a live change; ` +
      `${serverFds} fds of ${figures.serverFdLimit}, ${Math.round(figures.rssPerConnBytes / 1024)} KB RSS/stream`,
  );
  return { figures, held: { spaces: stormSpaces, seen: 1, nextSeq: all.length + 1 } };
}
