// Dev probe: the exact server CPU of one lone message (schedstat run time, not the 10 ms
// ticks of utime), per thread kind of each process (the JS thread, JIT workers, the
// allocator's scavenger), with Postgres' CPU and the sync engine's counters per message.
// `bun src/probe/message-threads.ts [n] [warm] [messages]`; PEERS=ours,bare; GAP=ms between posts.
import { readdirSync, readFileSync } from "node:fs";
import { median } from "../hist.ts";
import { Fleet } from "../load/fleet.ts";
import type { Kind } from "../load/protocol.ts";
import { delta, scrape } from "../metrics.ts";
import { processTree } from "../proc.ts";
import { postmasterPid, startStack } from "../stack.ts";
import { postMarked } from "../writer.ts";
import { crowd } from "./crowd.ts";

const n = Number(process.argv[2] ?? 10);
const warm = Number(process.argv[3] ?? 40);
const messages = Number(process.argv[4] ?? 10);
const gapMs = Number(process.env.GAP ?? 1100);

const runNs = (path: string): number => {
  try {
    return Number(readFileSync(path, "utf8").split(" ")[0]);
  } catch {
    return 0; // the thread ended meanwhile
  }
};

/** Run time (ns) by "process:thread name" over a process tree. */
function byThread(root: number): Map<string, number> {
  const sums = new Map<string, number>();
  for (const pid of processTree(root)) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      const dir = `/proc/${pid}/task/${task}`;
      let name = "?";
      try {
        name = readFileSync(`${dir}/comm`, "utf8").trim();
      } catch {}
      const key = `${pid === root ? "first" : `process ${pid}`}: ${name}`;
      sums.set(key, (sums.get(key) ?? 0) + runNs(`${dir}/schedstat`));
    }
  }
  return sums;
}

const total = (sums: Map<string, number>) => [...sums.values()].reduce((a, b) => a + b, 0);
const stack = await startStack();
const fleet = await Fleet.start(2);
const postmaster = await postmasterPid(stack);
/** Run time (ns) of this stack's Postgres (its postmaster's tree), and of the load workers. */
const postgresNs = () => total(byThread(postmaster));
const clientsNs = () => fleet.pids.reduce((sum, pid) => sum + total(byThread(pid)), 0);
for (const kind of (process.env.PEERS ?? "ours,bare").split(",") as Kind[]) {
  const { server, space } = await crowd(stack, fleet, kind, n);
  const serverNs = () => total(byThread(server.pid));
  const send = async (seq: number) => {
    await postMarked(server.target, space, seq, `m${seq}`);
    await fleet.waitPhase(`m${seq}`, 1, 30_000);
  };
  for (let seq = 1; seq <= warm; seq++) {
    await send(seq);
    await Bun.sleep(gapMs);
  }
  const idle0 = serverNs();
  const idleStarted = performance.now();
  await Bun.sleep(3000);
  const idleNsPerMs = (serverNs() - idle0) / (performance.now() - idleStarted);
  const perMessage: number[] = [];
  const metrics0 = kind === "ours" ? await scrape(server.url) : {};
  const threads0 = byThread(server.pid);
  const pg0 = postgresNs();
  const clients0 = clientsNs();
  for (let seq = warm + 1; seq <= warm + messages; seq++) {
    const before = serverNs();
    const started = performance.now();
    await send(seq);
    const elapsed = performance.now() - started;
    perMessage.push((serverNs() - before - idleNsPerMs * elapsed) / 1e6);
    await Bun.sleep(gapMs);
  }
  const pgMs = (postgresNs() - pg0) / 1e6 / messages;
  const clientsMs = (clientsNs() - clients0) / 1e6 / messages;
  console.log(
    `${kind} ×${n}: server CPU per message ${median(perMessage).toFixed(2)} ms (median, less ` +
      `${(idleNsPerMs / 1e3).toFixed(1)} ms/s idle); Postgres ${pgMs.toFixed(2)} ms, the load workers ` +
      `(the subscribers' side) ${clientsMs.toFixed(2)} ms per message, gaps included`,
  );
  for (const [key, ns] of byThread(server.pid)) {
    const ms = (ns - (threads0.get(key) ?? 0)) / 1e6 / messages;
    if (ms >= 0.05) console.log(`  ${key}: ${ms.toFixed(2)} ms per message, gaps included`);
  }
  if (kind === "ours") {
    for (const [name, value] of Object.entries(delta(await scrape(server.url), metrics0))) {
      if (name.startsWith("rhizome_") && !name.includes("_bucket") && value > 0) {
        console.log(`  ${name}: ${(value / messages).toFixed(2)} per message`);
      }
    }
  }
  await fleet.closeAll();
  await server.stop();
}
await fleet.stop();
await stack.destroy();
process.exit(0);
