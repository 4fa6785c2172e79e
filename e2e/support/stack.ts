import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createScratchDatabase, FaultProxy, ServerProcess } from "@rhizome/testkit";

/** The built web app the servers serve (turbo builds it before e2e; by hand: `bun run build` in apps/web). */
export const WEB_DIR = fileURLToPath(new URL("../../apps/web/build", import.meta.url));

/** Heartbeats every 2 s: positions are confirmed often and a silent stream is noticed quickly. */
const SERVER_ENV = {
  WEB_DIR,
  SYNC_HEARTBEAT_MS: "2000",
  SYNC_SAFETY_POLL_MS: "1000",
  // Every test signs up beings and writes from one address: lift the abuse limits.
  RATE_SIGNUP_PER_MINUTE: "100000",
  RATE_SIGNIN_PER_MINUTE: "100000",
  RATE_SIGNIN_PER_ADDRESS_PER_MINUTE: "100000",
  RATE_SPACES_PER_MINUTE: "100000",
  RATE_WRITES_PER_MINUTE: "1000000",
};

export type Database =
  | { kind: "postgres"; url: string; drop(): Promise<void> }
  | { kind: "pglite"; dataDir: string; drop(): Promise<void> };

/** A fresh scratch database on DATABASE_URL's server, else PGlite in a temporary directory. */
export async function createDatabase(): Promise<Database> {
  const base = process.env.DATABASE_URL?.trim();
  if (base) {
    const scratch = await createScratchDatabase(base, "rz_e2e");
    return { kind: "postgres", url: scratch.url, drop: () => scratch.drop() };
  }
  const dataDir = mkdtempSync(join(tmpdir(), "rz-e2e-"));
  return {
    kind: "pglite",
    dataDir,
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

export function serverEnv(
  database: Database,
  extra: Record<string, string> = {},
): Record<string, string> {
  return database.kind === "postgres"
    ? { ...SERVER_ENV, ...extra, DATABASE_URL: database.url }
    : { ...SERVER_ENV, ...extra, DATABASE_URL: "", DATA_DIR: database.dataDir };
}

/**
 * Real server processes on one database, behind a fault-injecting proxy that the browser
 * talks to. Tests call the API on a server directly (`apiUrl`), so that cutting the
 * browser's network does not cut the test's own writes.
 */
export class Stack {
  private constructor(
    readonly database: Database,
    readonly servers: ServerProcess[],
    readonly proxy: FaultProxy,
    readonly env: Record<string, string>,
  ) {}

  /** `env`: settings of this stack's servers beyond the suite's (e.g. a long batch window). */
  static async start(env: Record<string, string> = {}): Promise<Stack> {
    if (!existsSync(join(WEB_DIR, "200.html"))) {
      throw new Error(`${WEB_DIR} is not built: run \`bun run build\` in apps/web first`);
    }
    const database = await createDatabase();
    const server = await ServerProcess.start({ env: serverEnv(database, env) });
    const proxy = new FaultProxy([{ host: "127.0.0.1", port: server.port }]).start();
    return new Stack(database, [server], proxy, env);
  }

  get server(): ServerProcess {
    return this.servers[0] as ServerProcess;
  }

  /** What the browser opens: the proxy. */
  get url(): string {
    return this.proxy.url;
  }

  /** Where the test's own API calls go: straight to the first server. */
  get apiUrl(): string {
    return this.server.url;
  }

  /** Another instance on the same database (Postgres only: PGlite is one process' database). */
  async addServer(): Promise<ServerProcess> {
    if (this.database.kind !== "postgres") throw new Error("a second instance needs Postgres");
    const server = await ServerProcess.start({ env: serverEnv(this.database, this.env) });
    this.servers.push(server);
    return server;
  }

  async removeServer(server: ServerProcess): Promise<void> {
    await server.kill("SIGTERM");
    this.servers.splice(this.servers.indexOf(server), 1);
  }

  /** Back to one healthy server behind an open proxy, whatever the last test did. */
  async restore(): Promise<void> {
    this.proxy.blocked = false;
    this.proxy.latencyMs = 0;
    for (const extra of this.servers.slice(1)) await extra.kill("SIGTERM");
    this.servers.splice(1);
    const ok = await fetch(`${this.server.url}/api/health`)
      .then((response) => response.ok)
      .catch(() => false);
    if (!ok) await this.server.restart();
    this.proxy.setTargets([{ host: "127.0.0.1", port: this.server.port }]);
  }

  async stop(): Promise<void> {
    this.proxy.stop();
    for (const server of this.servers) await server.kill("SIGTERM");
    await this.database.drop();
  }
}
