import { AccessGuard } from "./access/guard.ts";
import type { Config } from "./config.ts";
import { databaseChangeSource } from "./data/change-source.ts";
import type { Database, Db, DbKind } from "./db/client.ts";
import { SessionPurge } from "./features/auth/session-purge.ts";
import { RateLimiter } from "./http/rate-limit.ts";
import { Fanout } from "./sync/fanout.ts";

/** What features are built from; created once in app.ts (or by a test). */
export type AppContext = {
  config: Config;
  db: Db;
  dbKind: DbKind;
  fanout: Fanout;
  limits: { signup: RateLimiter; signin: RateLimiter; writes: RateLimiter };
  guard: AccessGuard;
  sessionPurge: SessionPurge;
};

const MINUTE = 60_000;

/** Builds the context over an open database and starts its fan-out (one listener per process). */
export async function createContext(config: Config, database: Database): Promise<AppContext> {
  const fanout = new Fanout(databaseChangeSource(database.db), config.sync);
  await fanout.start(database.listen);
  const guard = new AccessGuard(database.db, fanout);
  await guard.start(database.listen);
  return {
    guard,
    sessionPurge: new SessionPurge(database.db),
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
}
