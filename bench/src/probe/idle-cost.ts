// Dev probe: our server's CPU while `n` streams sit idle (no posts), and per-process
// wake-ups. `bun src/probe/idle-cost.ts [n] [seconds]`
import { Fleet } from "../load/fleet.ts";
import { cpuSplit } from "../proc.ts";
import { launch, streamTarget } from "../servers.ts";
import { createSpaces, startStack } from "../stack.ts";

const n = Number(process.argv[2] ?? 2500);
const seconds = Number(process.argv[3] ?? 10);
const stack = await startStack();
const [space] = (await createSpaces(stack, 1, "idle")) as [string];
const server = await launch("ours", stack, "node", { workers: Number(process.env.WORKERS ?? 1) });
const fleet = await Fleet.start(2);
await fleet.open({
  ...streamTarget(server),
  spaces: Array(n).fill(space),
});
await fleet.waitLive(60_000);
await Bun.sleep(3000);
const cpu0 = cpuSplit(server.pid);
await Bun.sleep(seconds * 1000);
const cpu1 = cpuSplit(server.pid);
const ms = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / 1000;
console.log(`${n} idle streams: ${(ms / seconds).toFixed(1)} ms of CPU a second`);
await fleet.closeAll();
await server.stop();
await stack.destroy();
process.exit(0);
