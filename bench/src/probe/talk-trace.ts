// Dev probe: where a conversation's slow turn is slow. Posts one message every `turnMs` to
// n subscribers (awaited, so answers and deliveries stay apart) and prints each slow turn:
// how long its post took to be answered, and its first and last delivery.
// `bun src/probe/talk-trace.ts [n] [turns] [turnMs]`; PEERS=ours,sio; BENCH_OURS_WORKERS;
// WARM=1 warms the write path first (as the scenarios do); TRACE_SQL=1 logs every statement.
import { quantile } from "../hist.ts";
import { Fleet } from "../load/fleet.ts";
import type { Kind } from "../load/protocol.ts";
import { logStatements, serverLogPath, startStack } from "../stack.ts";
import { postMarked, warmWritePath } from "../writer.ts";
import { crowd } from "./crowd.ts";

const n = Number(process.argv[2] ?? 10);
const turns = Number(process.argv[3] ?? 100);
const turnMs = Number(process.argv[4] ?? 300);
const peers = (process.env.PEERS ?? "ours,sio").split(",") as Kind[];
const stack = await startStack();
const fleet = await Fleet.start(2);

if (process.env.TRACE_SQL) await logStatements(stack, true);
for (const kind of peers) {
  const { server, space } = await crowd(stack, fleet, kind, n);
  if (process.env.WARM) await warmWritePath([server.target], space);
  const rows: { answered: number; first: number; last: number; at: number }[] = [];
  for (let i = 0; i < turns; i++) {
    const phase = `talk${i}`;
    const started = performance.now();
    const at = performance.timeOrigin + started;
    await postMarked(server.target, space, i + 1, phase);
    const answered = performance.now() - started;
    const result = await fleet.waitPhase(phase, 1, 30_000);
    rows.push({ at, answered, first: quantile(result.hist, 0), last: quantile(result.hist, 1) });
    await Bun.sleep(Math.max(0, turnMs - (performance.now() - started)));
  }
  const lasts = rows.map((r) => r.last).sort((a, b) => a - b);
  const q = (f: number) => lasts[Math.floor(f * (lasts.length - 1))]?.toFixed(2);
  console.log(`${kind}: last delivery p50 ${q(0.5)} p90 ${q(0.9)} p99 ${q(0.99)} max ${q(1)} ms`);
  const slow = rows
    .map((r, i) => ({ ...r, i }))
    .sort((a, b) => b.last - a.last)
    .slice(0, 6);
  for (const r of slow) {
    console.log(
      `  turn ${r.i} at ${new Date(r.at).toISOString()}: answered ${r.answered.toFixed(2)} first ${r.first.toFixed(2)} last ${r.last.toFixed(2)}`,
    );
  }
  await server.stop();
  if (process.env.TRACE_SQL) console.log(`  statements: ${await serverLogPath(stack)}`);
}
await fleet.stop();
await stack.destroy();
process.exit(0);
