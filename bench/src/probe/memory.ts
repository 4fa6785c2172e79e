// Dev probe: our server in this process, so that a full GC can run and JSC's heap be
// counted: live heap and object types per open stream, versus RSS per stream.
// `bun src/probe/memory.ts [streams] [--since-head] [--multi=K]` (--since-head: a tiny first
// frame, an empty catch-up, instead of a reset carrying the latest page of 50 intentions;
// --multi=K: multi-space streams of K spaces each over a pool where each space has 100
// followers, as the bench's multi-space scenario, `page: 1`, figures per stream and position)
import { heapStats } from "bun:jsc";
import { freePort } from "@rhizome/testkit";
import { loadConfig } from "../../../apps/server/src/config.ts";
import { startServer } from "../../../apps/server/src/server.ts";
import { Fleet } from "../load/fleet.ts";
import { fillSpaces, streamSpaces } from "../scenarios/multi.ts";
import { createSpaces, fillSpace, SERVER_ENV, startStack } from "../stack.ts";

const n = Number(process.argv[2] ?? 2000);
const k = Number(process.argv.find((a) => a.startsWith("--multi="))?.slice(8) ?? 0);
const stack = await startStack();
const [space] = (await createSpaces(stack, 1, "memory")) as [string];
await fillSpace(stack, space, 500);
const pool = k > 0 ? await createSpaces(stack, Math.max(k, (n * k) / 100), "memory multi") : [];
await fillSpaces(stack, pool, 3);
/** The subscribers of `count` streams: single-space ones, or multi-space ones with --multi. */
const subscribers = (count: number) =>
  k > 0
    ? { spaces: [], streams: streamSpaces(pool, count, k), page: 1 }
    : { spaces: Array(count).fill(space) };
const port = freePort();
const config = loadConfig({ ...SERVER_ENV, DATABASE_URL: stack.databaseUrl, PORT: String(port) });
const server = await startServer(config, { hostname: "127.0.0.1" });
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    Bun.gc(true);
    await Bun.sleep(200);
  }
  return { heap: heapStats(), rss: process.memoryUsage().rss };
};
const fleet = await Fleet.start(2);
const [row] = await stack.sql<{ head: string }[]>`
  SELECT to_char(head AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS head FROM spaces WHERE id = ${space}`;
const since = process.argv.includes("--since-head") ? { [space]: row?.head as string } : undefined;
const spec = { kind: "ours" as const, host: "127.0.0.1", port, token: stack.being.token, since };
// Warm every code path once, then measure from a settled heap.
await fleet.open({ ...spec, ...subscribers(k > 0 ? 20 : 200) });
await fleet.waitLive(30_000);
await fleet.closeAll();
await Bun.sleep(500);
const before = await settle();
await fleet.open({ ...spec, ...subscribers(n), maxPending: k > 0 ? 64 : 256 });
console.log("live", (await fleet.waitLive(120_000)).live);
const rssUnsettled = process.memoryUsage().rss;
const after = await settle();
const per = (a: number, b: number) => ((a - b) / n).toFixed(0);
console.log(
  `RSS/stream just after connect: ${per(rssUnsettled, before.rss)} B; after full GC: ${per(after.rss, before.rss)} B`,
);
console.log(
  `live JS heap/stream: ${per(after.heap.heapSize, before.heap.heapSize)} B, objects/stream: ${per(after.heap.objectCount, before.heap.objectCount)}`,
);
const heapCapacity = (after.heap.heapCapacity - before.heap.heapCapacity) / n;
console.log(
  `JS heap capacity/stream: ${heapCapacity.toFixed(0)} B, extra memory/stream: ${per(after.heap.extraMemorySize, before.heap.extraMemorySize)} B`,
);
// Held per stream, or the allocator's high-water mark? Close all, then open as many again.
await fleet.closeAll();
await Bun.sleep(1000);
const closed = await settle();
console.log(`after closing all: RSS ${per(closed.rss, before.rss)} B/stream above the start`);
await fleet.open({ ...spec, ...subscribers(n), maxPending: k > 0 ? 64 : 256 });
await fleet.waitLive(120_000);
const reopened = await settle();
console.log(
  `reopened: RSS/stream ${per(reopened.rss, closed.rss)} B, JS heap/stream ${per(reopened.heap.heapSize, closed.heap.heapSize)} B`,
);
if (k > 0) {
  const perPosition = (a: number, b: number) => ((a - b) / (n * k)).toFixed(0);
  console.log(
    `per followed position (${n} × ${k}): RSS after full GC ${perPosition(after.rss, before.rss)} B, ` +
      `live JS heap ${perPosition(after.heap.heapSize, before.heap.heapSize)} B, ` +
      `reopened RSS ${perPosition(reopened.rss, closed.rss)} B`,
  );
}
const counts = Object.entries(after.heap.objectTypeCounts)
  .map(([type, count]) => [type, (count - (before.heap.objectTypeCounts[type] ?? 0)) / n] as const)
  .filter(([, perStream]) => perStream >= 0.5)
  .sort((a, b) => b[1] - a[1]);
for (const [type, perStream] of counts.slice(0, 30))
  console.log(`  ${perStream.toFixed(1).padStart(6)}  ${type}`);
await fleet.stop();
await server.stop();
await stack.destroy();
