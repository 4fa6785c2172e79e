import { freePort } from "@rhizome/testkit";
import type { Subprocess } from "bun";

/**
 * For A/B experiments only: a server started from another entry point than the repository's
 * (BENCH_SERVER_MAIN=/path/to/patched/src/main.ts), e.g. a copy with a proposed change.
 * The same surface as testkit's ServerProcess for what the bench uses.
 */
export class AltServerProcess {
  readonly port = freePort();
  #proc: Subprocess | undefined;

  private constructor(
    private readonly main: string,
    private readonly env: Record<string, string>,
  ) {}

  static async start(main: string, env: Record<string, string>): Promise<AltServerProcess> {
    const server = new AltServerProcess(main, env);
    await server.launch();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#proc?.pid;
  }

  async launch(): Promise<void> {
    this.#proc = Bun.spawn(["bun", this.main], {
      env: { ...process.env, ...this.env, PORT: String(this.port) },
      stdout: "ignore",
      stderr: "inherit",
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const ok = await fetch(`${this.url}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await Bun.sleep(50);
    }
    throw new Error(`${this.main} did not become healthy`);
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    this.#proc?.kill(signal);
    await this.#proc?.exited;
  }

  async restart(): Promise<void> {
    await this.kill("SIGKILL");
    await this.launch();
  }
}
