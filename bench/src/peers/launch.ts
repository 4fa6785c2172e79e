import { fileURLToPath } from "node:url";
import { freePort } from "@rhizome/testkit";
import type { Subprocess } from "bun";

export type PeerName = "sio" | "full" | "floor" | "bare";

const SCRIPTS: Record<PeerName, string> = {
  sio: fileURLToPath(new URL("./socketio-server.mjs", import.meta.url)),
  full: fileURLToPath(new URL("./full-array-server.ts", import.meta.url)),
  floor: fileURLToPath(new URL("./write-floor-server.ts", import.meta.url)),
  bare: fileURLToPath(new URL("./bare-server.ts", import.meta.url)),
};

/** A peer server in its own process, on its own port, against the run's database. */
export class PeerProcess {
  private constructor(
    readonly name: PeerName,
    readonly port: number,
    readonly proc: Subprocess,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.proc.pid;
  }

  /**
   * `runtime` for Socket.IO: node (default, its native runtime) or bun; `processes` for the
   * bare send loop (the others are one process).
   */
  static async start(
    name: PeerName,
    databaseUrl: string,
    runtime = "node",
    processes = 1,
  ): Promise<PeerProcess> {
    const port = freePort();
    const command = name === "sio" ? [runtime, SCRIPTS.sio] : ["bun", SCRIPTS[name]];
    const proc = Bun.spawn(command, {
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        SERVERS: String(processes),
      },
      stdout: "ignore",
      stderr: "inherit",
    });
    const peer = new PeerProcess(name, port, proc);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const ok = await fetch(`${peer.url}/health`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return peer;
      await Bun.sleep(50);
    }
    proc.kill();
    throw new Error(`${name} peer did not start`);
  }

  async stop(): Promise<void> {
    this.proc.kill("SIGTERM");
    await this.proc.exited;
  }
}
