import type { Config } from "./config.ts";
import type { Db, DbKind } from "./db/client.ts";
import type { RateLimiter } from "./http/rate-limit.ts";
import type { Fanout } from "./sync/fanout.ts";

/** What features are built from; created once in app.ts (or by a test). */
export type AppContext = {
  config: Config;
  db: Db;
  dbKind: DbKind;
  fanout: Fanout;
  limits: { signup: RateLimiter; signin: RateLimiter; writes: RateLimiter };
};
