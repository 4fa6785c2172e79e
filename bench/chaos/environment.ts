import { FaultProxy, PostgresCluster, ServerProcess } from "@rhizome/testkit";
import postgres from "postgres";

export type EnvironmentOptions = {
  servers: number;
  heartbeatMs: number;
  maxBufferBytes: number;
  log: (line: string) => void;
};

export const DATABASE = "rhizome_chaos";

/**
 * Server settings for a chaos run: short heartbeats and safety polls so that watchdogs and
 * lost-notification recovery act within the run, a small buffer so that a stalled reader is
 * cut off quickly, and limits high enough that only faults (not quotas) refuse requests.
 */
function serverEnv(databaseUrl: string, options: EnvironmentOptions): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    SYNC_HEARTBEAT_MS: String(options.heartbeatMs),
    SYNC_SAFETY_POLL_MS: "1000",
    SYNC_BATCH_MS: "100",
    SYNC_MAX_BUFFER_BYTES: String(options.maxBufferBytes),
    SYNC_MAX_STREAMS_PER_BEING: "10000",
    SYNC_MAX_STREAMS_PER_ADDRESS: "100000",
    RATE_WRITES_PER_MINUTE: "10000000",
    RATE_SIGNUP_PER_MINUTE: "1000000",
    RATE_SIGNIN_PER_MINUTE: "1000000",
    RATE_SIGNIN_PER_ADDRESS_PER_MINUTE: "1000000",
    RATE_SPACES_PER_MINUTE: "1000000",
    // The hashing bound follows the cores: on a 2-core runner the set-up's parallel sign-ups
    // met "too many sign-ins at once" (503) and broke the run before any fault.
    RATE_MAX_PENDING_HASHES: "10000",
    WEB_DIR: "/nonexistent",
  };
}

/**
 * Everything a run needs, started in order and stopped in reverse on every exit path:
 * a throw-away Postgres cluster, the server instances, and the fault proxy in front of them.
 */
export class ChaosEnvironment {
  cluster: PostgresCluster | undefined;
  servers: ServerProcess[] = [];
  proxy: FaultProxy | undefined;
  /** The harness's own connection, for the audit (never through the proxy). */
  sql: postgres.Sql | undefined;
  /** Servers being killed and restarted on purpose: their absence is not a crash. */
  readonly restarting = new Set<number>();
  /** Servers that died on their own, with their last output: findings. */
  readonly crashes: string[] = [];
  #watch: ReturnType<typeof setInterval> | undefined;
  readonly #restarts = new Map<number, Promise<void>>();
  #stopping: Promise<void> | undefined;

  async start(options: EnvironmentOptions): Promise<void> {
    const started = performance.now();
    this.cluster = await PostgresCluster.start();
    const admin = postgres(this.cluster.url(), { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
    const databaseUrl = this.cluster.url(DATABASE);
    options.log(`postgres on port ${this.cluster.port} (${ms(started)})`);
    // The first instance migrates alone; the others start together.
    const env = serverEnv(databaseUrl, options);
    const first = await ServerProcess.start({ env });
    this.servers.push(first);
    const rest = await Promise.allSettled(
      Array.from({ length: options.servers - 1 }, () => ServerProcess.start({ env })),
    );
    for (const result of rest) if (result.status === "fulfilled") this.servers.push(result.value);
    const failed = rest.find((result) => result.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    options.log(
      `${this.servers.length} servers on ports ${this.servers.map((s) => s.port).join(", ")} (${ms(started)})`,
    );
    this.proxy = new FaultProxy(
      this.servers.map((server) => ({ host: "127.0.0.1", port: server.port })),
    ).start();
    this.sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  }

  /** Kills server `index` with SIGKILL and starts it again on its port (one restart at a time). */
  async restartServer(index: number): Promise<void> {
    const server = this.servers[index];
    if (!server) throw new Error(`no server ${index}`);
    const previous = this.#restarts.get(index) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => server.restart());
    this.#restarts.set(index, next);
    this.restarting.add(index);
    try {
      await next;
    } finally {
      if (this.#restarts.get(index) === next) {
        this.#restarts.delete(index);
        this.restarting.delete(index);
      }
    }
  }

  /**
   * Notices a server that exited without being told to (its /proc entry is gone), records
   * its last output, and starts it again so that the run can still be audited.
   */
  watchCrashes(log: (line: string) => void): void {
    this.#watch = setInterval(() => {
      this.servers.forEach((server, index) => {
        if (this.restarting.has(index) || server.rssBytes() !== undefined) return;
        log(`server ${index} exited on its own: restarting it`);
        this.restarting.add(index);
        // A moment for its last words to come through the pipe, then a fresh start.
        void Bun.sleep(300)
          .then(() => {
            const output = server.output.slice(-30).join("");
            this.crashes.push(`server ${index} exited on its own:\n${output}`);
            return this.restartServer(index);
          })
          .catch((error) => log(`restart of server ${index} failed: ${error}`));
      });
    }, 250);
  }

  get databaseUrl(): string {
    if (!this.cluster) throw new Error("no cluster");
    return this.cluster.url(DATABASE);
  }

  /** Idempotent, never throws: each part is stopped even if another fails. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const attempt = async (what: () => unknown) => {
        try {
          await what();
        } catch {
          // Best effort: the next part still gets its turn.
        }
      };
      clearInterval(this.#watch);
      await attempt(() => this.proxy?.stop());
      await attempt(() => this.sql?.end({ timeout: 1 }));
      await Promise.all(this.servers.map((server) => attempt(() => server.kill("SIGKILL"))));
      await attempt(() => this.cluster?.destroy());
    })();
    return this.#stopping;
  }
}

function ms(since: number): string {
  return `${Math.round(performance.now() - since)} ms`;
}
