// Dev probe: who holds what per multi-space stream. Our server in this process, K-space
// streams open, then a JSC heap snapshot: objects by class, and for the property names
// given (default spaceId, cursor), the classes holding them and, one level up, theirs.
// `bun src/probe/retainers.ts [streams] [--multi=K] [--names=spaceId,cursor]`
import { freePort } from "@rhizome/testkit";
import { loadConfig } from "../../../apps/server/src/config.ts";
import { startServer } from "../../../apps/server/src/server.ts";
import { Fleet } from "../load/fleet.ts";
import { fillSpaces, streamSpaces } from "../scenarios/multi.ts";
import { createSpaces, SERVER_ENV, startStack } from "../stack.ts";

const n = Number(process.argv[2] ?? 200);
const k = Number(process.argv.find((a) => a.startsWith("--multi="))?.slice(8) ?? 50);
const names = (
  process.argv.find((a) => a.startsWith("--names="))?.slice(8) ?? "spaceId,cursor"
).split(",");
const stack = await startStack();
const pool = await createSpaces(stack, Math.max(k, (n * k) / 100), "retainers");
await fillSpaces(stack, pool, 3);
const port = freePort();
const config = loadConfig({ ...SERVER_ENV, DATABASE_URL: stack.databaseUrl, PORT: String(port) });
const server = await startServer(config, { hostname: "127.0.0.1" });
const fleet = await Fleet.start(2);
await fleet.open({
  kind: "ours",
  host: "127.0.0.1",
  port,
  token: stack.being.token,
  spaces: [],
  streams: streamSpaces(pool, n, k),
  page: 1,
  maxPending: 64,
});
console.log("live", (await fleet.waitLive(120_000)).live);
Bun.gc(true);
type Snapshot = {
  nodes: number[];
  nodeClassNames: string[];
  edges: number[];
  edgeTypes: string[];
  edgeNames: string[];
};
const snap = JSON.parse(JSON.stringify(Bun.generateHeapSnapshot())) as Snapshot;
// JSC: nodes are [id, size, classIndex, flags], edges [from, to, type, nameOrIndex].
const classOf = new Map<number, string>();
for (let i = 0; i < snap.nodes.length; i += 4) {
  classOf.set(snap.nodes[i] as number, snap.nodeClassNames[snap.nodes[i + 2] as number] ?? "?");
}
const parents = new Map<number, number[]>();
const byName = new Map<string, Map<string, number>>();
const outNames = new Map<number, string[]>();
const holders = new Map<string, number[]>();
for (let i = 0; i < snap.edges.length; i += 4) {
  const [from, to, type, name] = snap.edges.slice(i, i + 4) as [number, number, number, number];
  const list = parents.get(to) ?? [];
  parents.set(to, list);
  list.push(from);
  const edgeType = snap.edgeTypes[type];
  if (edgeType !== "Property" && edgeType !== "Variable") continue;
  const label = snap.edgeNames[name] ?? "";
  const own = outNames.get(from) ?? [];
  outNames.set(from, own);
  own.push(label);
  if (!names.includes(label)) continue;
  const cls = classOf.get(from) ?? "?";
  const counts = byName.get(label) ?? new Map<string, number>();
  byName.set(label, counts);
  counts.set(cls, (counts.get(cls) ?? 0) + 1);
  const key = `${label}@${cls}`;
  const sample = holders.get(key) ?? [];
  holders.set(key, sample);
  if (sample.length < 2000) sample.push(from);
}
const per = (count: number) => (count / (n * k)).toFixed(2);
for (const [label, counts] of byName) {
  for (const [cls, count] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
    // Three levels of holders, each level's classes counted over distinct nodes.
    let level = new Set(holders.get(`${label}@${cls}`) ?? []);
    const chain: string[] = [];
    for (let depth = 0; depth < 3; depth++) {
      const up = new Map<string, number>();
      const next = new Set<number>();
      for (const node of level) {
        for (const parent of parents.get(node) ?? []) {
          if (next.has(parent)) continue;
          next.add(parent);
          const pc = classOf.get(parent) ?? "?";
          up.set(pc, (up.get(pc) ?? 0) + 1);
        }
      }
      chain.push(
        [...up]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 4)
          .map(([c, v]) => `${c} ${v}`)
          .join(", "),
      );
      level = new Set([...next].filter((node) => classOf.get(node) !== "Structure"));
      // What each holder is: the names of its own properties / captured variables.
      const shapes = new Map<string, number>();
      for (const node of next) {
        const own = (outNames.get(node) ?? []).slice(0, 8).join(",");
        const key = `${classOf.get(node)}{${own}}`;
        shapes.set(key, (shapes.get(key) ?? 0) + 1);
      }
      chain.push(
        `   shapes: ${[...shapes]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([c, v]) => `${c} ×${v}`)
          .join(" | ")}`,
      );
    }
    console.log(`${label} held by ${cls}: ${per(count)}/position\n    ← ${chain.join("\n    ← ")}`);
  }
}
// Trace: objects with a `spaces` property (request bodies), three levels of holders.
const describe = (node: number) =>
  `${classOf.get(node)}{${(outNames.get(node) ?? []).slice(0, 10).join(",")}}`;
const bodies = [...outNames].filter(([, own]) => own.includes("spaces")).map(([node]) => node);
console.log(`objects with a spaces property: ${bodies.length}`);
let frontier = new Set(bodies.slice(0, 50));
for (let depth = 1; depth <= 4; depth++) {
  const shapes = new Map<string, number>();
  const next = new Set<number>();
  for (const node of frontier) {
    for (const parent of parents.get(node) ?? []) {
      if (classOf.get(parent) === "Structure" || next.has(parent)) continue;
      next.add(parent);
      shapes.set(describe(parent), (shapes.get(describe(parent)) ?? 0) + 1);
    }
  }
  console.log(
    `  level ${depth}: ${[...shapes]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([c, v]) => `${c} ×${v}`)
      .join(" | ")}`,
  );
  frontier = next;
}
await fleet.stop();
await server.stop();
await stack.destroy();
