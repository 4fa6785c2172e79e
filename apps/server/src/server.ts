import { createApp } from "./app.ts";
import type { Config } from "./config.ts";
import { createContext } from "./context.ts";
import { type Database, openDatabase } from "./db/client.ts";
import { type InstanceRole, soloRole } from "./os/instance.ts";
import type { Fanout } from "./sync/fanout.ts";

/** How long requests in flight may take to finish once shutdown starts, before they are cut. */
const SHUTDOWN_GRACE_MS = 5_000;

export type RunningServer = {
  url: string;
  port: number;
  database: Database;
  fanout: Fanout;
  /** HTTP requests being handled (open streams included). */
  readonly requestsInFlight: number;
  /** Graceful stop: no new connections, streams ended, requests drained, database closed. */
  stop(): Promise<void>;
};

/** Opens the database (migrating it), starts the fan-out and serves HTTP on `config.port`. */
export async function startServer(
  config: Config,
  options: {
    database?: Database;
    hostname?: string;
    idleTimeoutSeconds?: number;
    /** Several processes on one port (SERVER_WORKERS). */
    reusePort?: boolean;
    /** This process's part in its instance: when it listens, whose metrics it answers. */
    role?: InstanceRole;
  } = {},
): Promise<RunningServer> {
  const database =
    options.database ??
    (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  const role = options.role ?? soloRole();
  const { startup } = role;
  const ctx = await createContext(config, database, Date.now, role);
  const { fanout } = ctx;
  const app = createApp(ctx);
  await startup.mayListen();
  app.listen({
    port: config.port,
    hostname: options.hostname ?? "0.0.0.0",
    reusePort: options.reusePort ?? false,
    // Plain requests get Bun's idle timer; the stream route lifts it per request.
    idleTimeout: options.idleTimeoutSeconds ?? 30,
    // Bun's own limit answers without our error shape: keep it a far backstop, the body
    // limit plugin answers 413 at MAX_BODY_BYTES.
    maxRequestBodySize: 16 * 1024 * 1024,
  });
  const server = app.server;
  if (!server) throw new Error("the HTTP server did not start");
  startup.listening();
  ctx.sessionPurge.start();
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port as number,
    database,
    fanout,
    get requestsInFlight() {
      return server.pendingRequests;
    },
    /** Stops accepting, ends the streams, lets requests in flight finish, closes the database. */
    stop() {
      stopping ??= (async () => {
        const drained = server.stop(false);
        ctx.sessionPurge.stop();
        await fanout.shutdown();
        await ctx.guard.dispose();
        const late = await Promise.race([
          drained.then(() => false),
          Bun.sleep(SHUTDOWN_GRACE_MS).then(() => true),
        ]);
        if (late) await server.stop(true);
        if (!options.database) await database.close();
      })();
      return stopping;
    },
  };
}
