// Dev probe: the syscalls a server makes for lone messages to n subscribers, ours against
// the bare send loop (strace -c over each server's process tree, written to /tmp/probe).
// `bun src/probe/syscalls.ts [n] [messages]`; PEERS=ours,bare.
import { mkdirSync } from "node:fs";
import { Fleet } from "../load/fleet.ts";
import type { Kind } from "../load/protocol.ts";
import { processTree } from "../proc.ts";
import { startStack } from "../stack.ts";
import { postMarked } from "../writer.ts";
import { crowd } from "./crowd.ts";

const n = Number(process.argv[2] ?? 5000);
const messages = Number(process.argv[3] ?? 10);
const peers = (process.env.PEERS ?? "ours,bare").split(",") as Kind[];
mkdirSync("/tmp/probe", { recursive: true });
const stack = await startStack();
const fleet = await Fleet.start(2);
for (const kind of peers) {
  const { server, space } = await crowd(stack, fleet, kind, n);
  await Bun.sleep(1500);
  const pids = processTree(server.pid);
  const strace = Bun.spawn(
    [
      "strace",
      "-c",
      "-f",
      "-o",
      `/tmp/probe/strace-${kind}.txt`,
      ...pids.flatMap((p) => ["-p", String(p)]),
    ],
    { stderr: "ignore" },
  );
  await Bun.sleep(1000);
  for (let i = 0; i < messages; i++) {
    await postMarked(server.target, space, i + 1, `s${i}`);
    await fleet.waitPhase(`s${i}`, 1, 30_000);
    await Bun.sleep(1100);
  }
  strace.kill("SIGINT");
  await strace.exited;
  console.log(kind, "done");
  await fleet.closeAll();
  await server.stop();
}
await fleet.stop();
await stack.destroy();
