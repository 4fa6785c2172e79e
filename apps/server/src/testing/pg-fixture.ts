import { createScratchDatabase, ServerProcess } from "@rhizome/testkit";
import { DbTruth } from "./db-truth.ts";

type Scratch = Awaited<ReturnType<typeof createScratchDatabase>>;

/**
 * A throw-away database on DATABASE_URL's server, the direct connection that reads its
 * truth, and server processes over it; `close()` undoes all of it.
 */
/** Short batches and heartbeats, so that readers dropping at random chain many frames. */
const CONCURRENCY_ENV = {
  SYNC_BATCH_MS: "30",
  SYNC_MAX_BATCH: "10",
  SYNC_HEARTBEAT_MS: "1000",
  RATE_SIGNUP_PER_MINUTE: "1000000",
};

export class PgFixture {
  #scratch: Scratch | undefined;
  #truth: DbTruth | undefined;
  readonly #servers: ServerProcess[] = [];

  get url(): string {
    if (!this.#scratch) throw new Error("PgFixture not opened");
    return this.#scratch.url;
  }

  get truth(): DbTruth {
    if (!this.#truth) throw new Error("PgFixture not opened");
    return this.#truth;
  }

  async open(): Promise<this> {
    this.#scratch = await createScratchDatabase(process.env.DATABASE_URL as string);
    this.#truth = new DbTruth(this.#scratch.url);
    return this;
  }

  /** A server process on this database (or on `DATABASE_URL` given in `env`). */
  async server(env: Record<string, string> = {}): Promise<ServerProcess> {
    const server = await ServerProcess.start({
      env: {
        DATABASE_URL: this.url,
        RATE_WRITES_PER_MINUTE: "1000000",
        RATE_SPACES_PER_MINUTE: "1000000",
        ...env,
      },
    });
    this.#servers.push(server);
    return server;
  }

  /** Two server processes with the concurrency tests' settings: the roaming readers' stack. */
  async twoInstances(): Promise<ServerProcess[]> {
    return [await this.server(CONCURRENCY_ENV), await this.server(CONCURRENCY_ENV)];
  }

  async close(): Promise<void> {
    await Promise.all(this.#servers.map((server) => server.kill("SIGKILL")));
    await this.#truth?.close();
    await this.#scratch?.drop();
  }
}
