import type { Kind } from "./load/protocol.ts";
import { PeerProcess } from "./peers/launch.ts";
import { type Stack, startOurs } from "./stack.ts";
import type { WriteTarget } from "./writer.ts";

/** A server under test, whichever it is, with what the harness measures it by. */
export type Running = {
  kind: Kind;
  url: string;
  port: number;
  pid: number;
  target: WriteTarget;
  stop(): Promise<void>;
  /** Restarts it in place (ours: same port), for the cold reconnect storm. */
  restart(): Promise<void>;
};

/** Where and as whom the load workers open streams on a server under test. */
export function streamTarget(server: Running): {
  kind: Kind;
  host: string;
  port: number;
  token: string;
} {
  return { kind: server.kind, host: "127.0.0.1", port: server.port, token: server.target.token };
}

export const PEER_LABEL: Record<Kind, string> = {
  ours: "Rhizome (delta SSE)",
  sio: "Socket.IO 4.8",
  full: "Full-array SSE (old design)",
  bare: "Bare Bun SSE send loop (floor)",
};

/**
 * Our server's processes for the fan-out runs: one per core, sharing the port
 * (SERVER_WORKERS), as a deployment on this machine would. Other scenarios use one process
 * (the capacity target is what one process holds). CPU and RSS are summed over all of them.
 */
export const FANOUT_WORKERS = Number(
  process.env.BENCH_OURS_WORKERS ?? navigator.hardwareConcurrency ?? 2,
);

export async function launch(
  kind: Kind,
  stack: Stack,
  sioRuntime = "node",
  options: { workers?: number } = {},
): Promise<Running> {
  const target = (url: string): WriteTarget => ({
    kind,
    url,
    token: stack.being.token,
    authorId: stack.being.id,
  });
  if (kind === "ours") {
    const server = await startOurs(stack.databaseUrl, {
      SERVER_WORKERS: String(options.workers ?? 1),
    });
    return {
      kind,
      url: server.url,
      port: server.port,
      get pid() {
        return server.pid as number;
      },
      target: target(server.url),
      stop: async () => {
        await server.kill("SIGTERM");
      },
      restart: () => server.restart(),
    };
  }
  // The floor runs as many processes as ours does in the same scenario.
  const processes = kind === "bare" ? (options.workers ?? 1) : 1;
  const peer = await PeerProcess.start(kind, stack.databaseUrl, sioRuntime, processes);
  return {
    kind,
    url: peer.url,
    port: peer.port,
    pid: peer.pid,
    target: target(peer.url),
    stop: () => peer.stop(),
    restart: () => Promise.reject(new Error("peers are not restarted")),
  };
}
