// The physical floor of the fan-out: the bare Bun SSE send loop of the dev probe
// (probe/sse-variant-server.ts, default queuing strategy, one shared frame per post),
// SERVERS processes on one port (SO_REUSEPORT) relaying posts to each other, as our
// SERVER_WORKERS do. This parent only supervises: its children are in its process tree,
// so the bench sums their CPU and RSS as it does for our workers.
import { fileURLToPath } from "node:url";
import { freePort } from "@rhizome/testkit";

const SERVER = fileURLToPath(new URL("../probe/sse-variant-server.ts", import.meta.url));
const servers = Math.max(1, Number(process.env.SERVERS ?? 1));
const relays = Array.from({ length: servers }, () => freePort());
const children = relays.map((relay, i) =>
  Bun.spawn(["bun", SERVER], {
    env: {
      ...process.env,
      VARIANT: "plain",
      ...(servers > 1
        ? { RELAY_PORT: String(relay), PEER_RELAY_PORT: String(relays[(i + 1) % servers]) }
        : {}),
    },
    stdout: "ignore",
    stderr: "inherit",
  }),
);
const stop = () => {
  for (const child of children) child.kill();
  void Promise.all(children.map((child) => child.exited)).then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
await Promise.all(children.map((child) => child.exited));
