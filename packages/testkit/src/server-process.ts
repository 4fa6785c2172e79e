import { fileURLToPath } from "node:url";
import type { Subprocess } from "bun";
import { freePort } from "./free-port.ts";

const MAIN = fileURLToPath(new URL("../../../apps/server/src/main.ts", import.meta.url));

export type ServerProcessOptions = {
  /** Environment on top of this process' own (DATABASE_URL, SYNC_*, ...). */
  env?: Record<string, string | undefined>;
  port?: number;
};

/** A real server instance in its own process: killable, restartable, on a fixed port. */
export class ServerProcess {
  readonly port: number;
  #proc: Subprocess | undefined;
  readonly #env: Record<string, string | undefined>;
  /** The last lines it printed, for failure messages. */
  readonly output: string[] = [];

  private constructor(options: ServerProcessOptions) {
    this.port = options.port ?? freePort();
    this.#env = options.env ?? {};
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#proc?.pid;
  }

  static async start(options: ServerProcessOptions = {}): Promise<ServerProcess> {
    const server = new ServerProcess(options);
    try {
      await server.launch();
    } catch (error) {
      await server.kill("SIGKILL"); // never leave a half-started server behind
      throw error;
    }
    return server;
  }

  async launch(): Promise<void> {
    this.#proc = Bun.spawn(["bun", MAIN], {
      env: { ...process.env, ...this.#env, PORT: String(this.port) },
      stdout: "pipe",
      stderr: "pipe",
    });
    void this.#collect(this.#proc.stdout as ReadableStream<Uint8Array>);
    void this.#collect(this.#proc.stderr as ReadableStream<Uint8Array>);
    await this.waitHealthy();
  }

  /**
   * Polls /api/health until it answers ok and ready (the process may still be migrating, or
   * its SERVER_WORKERS still starting: streams opened then would all land on one of them).
   */
  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#proc?.exitCode !== null && this.#proc?.exitCode !== undefined) {
        throw new Error(`server exited with ${this.#proc.exitCode}:\n${this.output.join("")}`);
      }
      const ok = await fetch(`${this.url}/api/health`)
        .then(async (response) => response.ok && (await response.json()).ready !== false)
        .catch(() => false);
      if (ok) return;
      await Bun.sleep(50);
    }
    throw new Error(
      `server on ${this.port} not healthy in ${timeoutMs} ms:\n${this.output.join("")}`,
    );
  }

  /** Sends a signal and waits for the exit code. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<number | null> {
    const proc = this.#proc;
    if (!proc) return null;
    proc.kill(signal);
    await proc.exited;
    return proc.exitCode;
  }

  async restart(): Promise<void> {
    await this.kill("SIGKILL");
    await this.launch();
  }

  /** Resident set size in bytes, from /proc (Linux). */
  rssBytes(): number | undefined {
    if (!this.#proc) return undefined;
    try {
      const status = require("node:fs").readFileSync(
        `/proc/${this.#proc.pid}/status`,
        "utf8",
      ) as string;
      const kb = status.match(/VmRSS:\s+(\d+)/)?.[1];
      return kb ? Number(kb) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  async #collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      this.output.push(decoder.decode(chunk));
      if (this.output.length > 200) this.output.shift();
    }
  }
}
