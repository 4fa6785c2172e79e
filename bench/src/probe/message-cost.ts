// Dev probe: server CPU spent on one lone message to n subscribers, ours against the bare
// send loop, both with the fan-out's process count. Each message is measured alone, from
// just before its post to its last delivery, less the idle rate measured beforehand, so a
// phase's idle seconds (ours waits out its batch window between lone posts) don't count.
// `bun src/probe/message-cost.ts [n] [messages]`; PEERS=ours,bare; TRACE=1 prints each message.
import { median, percentiles, quantile } from "../hist.ts";
import { Fleet } from "../load/fleet.ts";
import type { Kind } from "../load/protocol.ts";
import { cpuSplit } from "../proc.ts";
import { startStack } from "../stack.ts";
import { postMarked } from "../writer.ts";
import { crowd } from "./crowd.ts";

const n = Number(process.argv[2] ?? 5000);
const messages = Number(process.argv[3] ?? 10);
const peers = (process.env.PEERS ?? "ours,bare").split(",") as Kind[];
const stack = await startStack();
const fleet = await Fleet.start(2);

for (const kind of peers) {
  const { server, space } = await crowd(stack, fleet, kind, n);
  await Bun.sleep(1500);
  const idle0 = cpuSplit(server.pid);
  const idleStart = performance.now();
  await Bun.sleep(3000);
  const idle1 = cpuSplit(server.pid);
  const idleMs = performance.now() - idleStart;
  const idlePerMs = {
    user: (idle1.user - idle0.user) / idleMs,
    system: (idle1.system - idle0.system) / idleMs,
  };
  const user: number[] = [];
  const system: number[] = [];
  const first: number[] = [];
  const p50: number[] = [];
  const p99: number[] = [];
  for (let i = 0; i < messages; i++) {
    const phase = `cost${i}`;
    const cpu0 = cpuSplit(server.pid);
    const started = performance.now();
    await postMarked(server.target, space, i + 1, phase);
    const answered = performance.now() - started;
    const result = await fleet.waitPhase(phase, 1, 30_000);
    const cpu1 = cpuSplit(server.pid);
    const elapsed = performance.now() - started;
    user.push(cpu1.user - cpu0.user - idlePerMs.user * elapsed);
    system.push(cpu1.system - cpu0.system - idlePerMs.system * elapsed);
    const latency = percentiles(result.hist);
    // The first delivery is the fixed part (the write, a notification and a read); the rest
    // is the spread of sending to every subscriber.
    first.push(quantile(result.hist, 0.001));
    p50.push(latency.p50);
    p99.push(latency.p99);
    if (process.env.TRACE) {
      console.log(
        `  ${phase}: answered in ${answered.toFixed(1)} ms, first ${first.at(-1)?.toFixed(1)} p50 ${latency.p50} p99 ${latency.p99}`,
      );
    }
    await Bun.sleep(1100);
  }
  const perDelivery = (micros: number[]) => (median(micros, 0) / n).toFixed(2);
  console.log(
    `${kind.padEnd(5)} ×${n}: per message (median of ${messages}) user ${perDelivery(user)} + system ${perDelivery(system)} µs/delivery, ` +
      `first ${median(first, 0).toFixed(1)} p50 ${median(p50, 0)} p99 ${median(p99, 0)} ms; idle ${(idlePerMs.user + idlePerMs.system).toFixed(1)} ms/s`,
  );
  await fleet.closeAll();
  await server.stop();
}
await fleet.stop();
await stack.destroy();
process.exit(0);
