import { AccessGuard } from "./access/guard.ts";
import type { Config } from "./config.ts";
import { databaseChangeSource } from "./data/change-source.ts";
import type { Database, Db, DbKind } from "./db/client.ts";
import { SessionPurge } from "./features/auth/session-purge.ts";
import { HASH_MS } from "./features/auth/tokens.ts";
import { AdmissionGate, hashCapacity } from "./limits/admission.ts";
import { RateLimiter } from "./limits/rate-limiter.ts";
import type { InstanceView } from "./os/instance.ts";
import { soloMetrics } from "./os/instance-metrics.ts";
import { Fanout } from "./sync/fanout.ts";
import { NO_SIBLINGS, siblingWriteHooks } from "./sync/siblings.ts";
import type { WriteHooks } from "./sync/source.ts";

export type Limits = {
  signup: RateLimiter;
  /** Per address and handle: guessing one being's password. */
  signin: RateLimiter;
  /** Per address, whatever the handle: a flood of made-up handles. */
  signinPerAddress: RateLimiter;
  writes: RateLimiter;
  /** Spaces created and members added: adding a victim to hundreds of spaces. */
  spaces: RateLimiter;
};

/** What features are built from; created once in app.ts (or by a test). */
export type AppContext = {
  config: Config;
  db: Db;
  dbKind: DbKind;
  fanout: Fanout;
  /** What writes tell the fan-out: this process's, and its siblings' (SERVER_WORKERS). */
  writeHooks: WriteHooks;
  limits: Limits;
  /** Password hashes in flight (sign-up, sign-in); per process, as the hashing pool is. */
  hashGate: AdmissionGate;
  guard: AccessGuard;
  sessionPurge: SessionPurge;
  /** This process's part in its instance: is every process listening, whose metrics, who else. */
  instance: InstanceView;
};

const MINUTE = 60_000;
/** A queued hash should be served within this long; later ones are refused at once. */
const HASH_QUEUE_SECONDS = 3;

/** Builds the context over an open database and starts its fan-out (one listener per process). */
export async function createContext(
  config: Config,
  database: Database,
  /** The rate limits' clock (tests fix it, so that no window ends in the middle of one). */
  now: () => number = Date.now,
  /** The server's processes; an app driven in-process is alone, and ready at once. */
  instance: AppContext["instance"] = {
    startup: { ready: true },
    metrics: soloMetrics(),
    siblings: NO_SIBLINGS,
    origin: 0,
  },
): Promise<AppContext> {
  const fanout = new Fanout(databaseChangeSource(database.db), config.sync);
  await fanout.start(database.listen);
  const db = database.db;
  const { rate } = config;
  const hashes =
    rate.maxPendingHashes ||
    hashCapacity(HASH_MS, HASH_QUEUE_SECONDS, navigator.hardwareConcurrency || 1);
  const guard = new AccessGuard(db, fanout);
  await guard.start(database.listen);
  return {
    guard,
    instance,
    sessionPurge: new SessionPurge(db),
    config,
    db,
    dbKind: database.kind,
    fanout,
    writeHooks:
      instance.siblings === NO_SIBLINGS
        ? fanout
        : siblingWriteHooks(fanout, instance.siblings, instance.origin),
    limits: {
      signup: new RateLimiter(db, "signup", rate.signupPerMinute, MINUTE, now),
      signin: new RateLimiter(db, "signin", rate.signinPerMinute, MINUTE, now),
      signinPerAddress: new RateLimiter(
        db,
        "signin-address",
        rate.signinPerAddressPerMinute,
        MINUTE,
        now,
      ),
      writes: new RateLimiter(db, "writes", rate.writesPerMinute, MINUTE, now),
      spaces: new RateLimiter(db, "spaces", rate.spacesPerMinute, MINUTE, now),
    },
    hashGate: new AdmissionGate(hashes, HASH_QUEUE_SECONDS),
  };
}
