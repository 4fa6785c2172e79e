// Dev probe: the syscalls a server makes for lone messages to n subscribers, ours against
// the bare send loop (strace -c over each server's process tree, written to /tmp/probe).
// `bun src/probe/syscalls.ts [n] [messages]`; PEERS=ours,bare.
import { mkdirSync } from "node:fs";
import { Fleet } from "../load/fleet.ts";
import type { Kind } from "../load/protocol.ts";
import { processTree } from "../proc.ts";
import { FANOUT_WORKERS, launch, streamTarget } from "../servers.ts";
import { createSpaces, fillSpace, startStack } from "../stack.ts";
import { postMarked } from "../writer.ts";

const n = Number(process.argv[2] ?? 5000);
const messages = Number(process.argv[3] ?? 10);
const peers = (process.env.PEERS ?? "ours,bare").split(",") as Kind[];
mkdirSync("/tmp/probe", { recursive: true });
const stack = await startStack();
const fleet = await Fleet.start(2);
for (const kind of peers) {
  const [space] = (await createSpaces(stack, 1, `sys ${kind}`)) as [string];
  await fillSpace(stack, space, 500);
  const server = await launch(kind, stack, "node", { workers: FANOUT_WORKERS });
  if (kind !== "ours") await Bun.sleep(2000);
  await fleet.open({ ...streamTarget(server), spaces: Array(n).fill(space), maxPending: 256 });
  await fleet.waitLive(120_000);
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
