// Dev probe driver: `bun src/probe/sse-variants.ts [subscribers] [messages]`. Same load
// workers as the bench; prints server CPU per delivery and lone-message latency per variant.
// SERVERS=2: two processes per variant sharing the port, each relaying posts to the other.
import { fileURLToPath } from "node:url";
import { freePort } from "@rhizome/testkit";
import { percentiles } from "../hist.ts";
import { Fleet } from "../load/fleet.ts";
import { cpuSplit, rssBytes } from "../proc.ts";
import { runSchedule } from "../writer.ts";

const SERVER = fileURLToPath(new URL("./sse-variant-server.ts", import.meta.url));
const n = Number(process.argv[2] ?? 5000);
const messages = Number(process.argv[3] ?? 10);
const SERVERS = Number(process.env.SERVERS ?? 1);
const fleet = await Fleet.start(2);
const space = "00000000-0000-0000-0000-000000000000";
for (const variant of (process.env.VARIANTS ?? "counted,plain,direct").split(",")) {
  const port = freePort();
  const relays = Array.from({ length: SERVERS }, () => freePort());
  const procs = relays.map((relay, i) =>
    Bun.spawn(["bun", SERVER], {
      env: {
        ...process.env,
        PORT: String(port),
        VARIANT: variant,
        ...(SERVERS > 1
          ? { RELAY_PORT: String(relay), PEER_RELAY_PORT: String(relays[(i + 1) % SERVERS]) }
          : {}),
      },
    }),
  );
  const pids = procs.map((p) => p.pid);
  const rssAll = () => pids.reduce((sum, pid) => sum + rssBytes(pid), 0);
  const cpuAll = () =>
    pids.map(cpuSplit).reduce((a, b) => ({ user: a.user + b.user, system: a.system + b.system }));
  while (
    !(await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    ))
  )
    await Bun.sleep(50);
  const rss0 = rssAll();
  const target = {
    kind: "full" as const,
    url: `http://127.0.0.1:${port}`,
    token: "",
    authorId: "",
  };
  await fleet.open({
    kind: "full",
    host: "127.0.0.1",
    port,
    spaces: Array(n).fill(space),
    maxPending: 256,
  });
  const status = await fleet.waitLive(60_000);
  await Bun.sleep(300);
  const rss1 = rssAll();
  const idle0 = cpuAll();
  await Bun.sleep(3000);
  const idle1 = cpuAll();
  const idle = (idle1.user + idle1.system - idle0.user - idle0.system) / 3000;
  const cpu0 = cpuAll();
  await runSchedule(target, space, "p", 1, { kind: "lone", count: messages, spacingMs: 300 });
  const result = await fleet.waitPhase("p", messages, 30_000);
  const cpu1 = cpuAll();
  const user = cpu1.user - cpu0.user;
  const system = cpu1.system - cpu0.system;
  const cpu = user + system;
  const lat = percentiles(result.hist);
  console.log(
    `${variant.padEnd(8)} live ${status.live}/${n}  ${(cpu / result.deliveries).toFixed(2)} µs/delivery (user ${(user / result.deliveries).toFixed(2)})  ` +
      `p50 ${lat.p50} p99 ${lat.p99} ms  rss/conn ${Math.round((rss1 - rss0) / n)} B  idle ${idle.toFixed(1)} ms/s`,
  );
  await fleet.closeAll();
  for (const p of procs) p.kill();
  await Promise.all(procs.map((p) => p.exited));
}
await fleet.stop();
