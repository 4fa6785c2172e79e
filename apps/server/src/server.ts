import { createApp } from "./app.ts";
import type { Config } from "./config.ts";
import type { AppContext } from "./context.ts";
import { databaseChangeSource } from "./data/change-source.ts";
import { type Database, openDatabase } from "./db/client.ts";
import { RateLimiter } from "./http/rate-limit.ts";
import { Fanout } from "./sync/fanout.ts";

export type RunningServer = {
  url: string;
  port: number;
  database: Database;
  fanout: Fanout;
  /** Graceful stop: no new connections, streams ended, database closed. */
  stop(): Promise<void>;
};

const MINUTE = 60_000;

/** Opens the database (migrating it), starts the fan-out and serves HTTP on `config.port`. */
export async function startServer(
  config: Config,
  options: { database?: Database; hostname?: string; idleTimeoutSeconds?: number } = {},
): Promise<RunningServer> {
  const database =
    options.database ??
    (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  const fanout = new Fanout(databaseChangeSource(database.db), config.sync);
  await fanout.start(database.listen);
  const ctx: AppContext = {
    config,
    db: database.db,
    dbKind: database.kind,
    fanout,
    limits: {
      signup: new RateLimiter(config.rate.signupPerMinute, MINUTE),
      signin: new RateLimiter(config.rate.signinPerMinute, MINUTE),
      writes: new RateLimiter(config.rate.writesPerMinute, MINUTE),
    },
  };
  const app = createApp(ctx).listen({
    port: config.port,
    hostname: options.hostname ?? "0.0.0.0",
    // Plain requests get Bun's idle timer; the stream route lifts it per request.
    idleTimeout: options.idleTimeoutSeconds ?? 30,
    // Bun's own limit answers without our error shape: keep it a far backstop, the body
    // limit plugin answers 413 at MAX_BODY_BYTES.
    maxRequestBodySize: 16 * 1024 * 1024,
  });
  const server = app.server;
  if (!server) throw new Error("the HTTP server did not start");
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port as number,
    database,
    fanout,
    stop() {
      stopping ??= (async () => {
        await fanout.shutdown();
        await server.stop(true);
        if (!options.database) await database.close();
      })();
      return stopping;
    },
  };
}
