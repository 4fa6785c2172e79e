import { DEFAULTS } from "@rhizome/protocol";

/** Start-up configuration (README, Configuration), validated once; a bad value stops the process with a clear message. */
export type Config = {
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  sync: {
    batchMs: number;
    /** Subscribers of a space at which its batch window is the full `batchMs` (fewer: shorter). */
    batchAudience: number;
    maxBatch: number;
    catchupLimit: number;
    pageSize: number;
    heartbeatMs: number;
    maxBufferBytes: number;
    /** Open streams this instance accepts before answering 503: each holds a descriptor. */
    maxStreams: number;
    /** Concurrent streams one being may hold open in one process. */
    maxStreamsPerBeing: number;
    /** Concurrent streams one client address may hold open in one process. */
    maxStreamsPerAddress: number;
    /** Spaces one multi-space stream (POST /api/stream) may follow. */
    maxSpacesPerStream: number;
    /** How often the heads of watched spaces are polled, in case a notification was lost. */
    safetyPollMs: number;
  };
  rate: {
    /** Sign-ups per client address per minute. */
    signupPerMinute: number;
    /** Sign-in attempts per client address and handle per minute. */
    signinPerMinute: number;
    /** Sign-in attempts per client address per minute, whatever the handle. */
    signinPerAddressPerMinute: number;
    /** Writes per being per minute: intentions, spaces, members added, profile changes. */
    writesPerMinute: number;
    /** Spaces created plus members added, per being per minute. */
    spacesPerMinute: number;
    /** Password hashes in flight before more are refused with 503; 0: what the pool serves in 3 s. */
    maxPendingHashes: number;
  };
  /** Built web app to serve in production, when present. */
  webDir: string | undefined;
  /** Processes sharing the port (SO_REUSEPORT), each with its own fan-out; Postgres only. */
  workers: number;
  /** Proxies in front that append to X-Forwarded-For: rate limits key on what they saw. */
  trustProxyHops: number;
  /** When set, /metrics needs `Authorization: Bearer <it>` and shows per-space detail too. */
  metricsToken: string | undefined;
  /** One JSON line per request on stdout (http/access-log.ts); off by default. */
  logRequests: boolean;
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is not a whole number (expected ${min}..${max})`,
    );
  }
  const value = Number(raw.trim());
  if (value < min || value > max) {
    throw new ConfigError(`${name}=${raw} is out of range (expected ${min}..${max})`);
  }
  return value;
}

function flag(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "" || raw === "0" || raw === "false") return false;
  if (raw === "1" || raw === "true") return true;
  throw new ConfigError(`${name}=${JSON.stringify(env[name])} is not a switch (expected 1 or 0)`);
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL?.trim();
  if (!raw) return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) {
    throw new ConfigError("DATABASE_URL must start with postgres:// or postgresql://");
  }
  return raw;
}

/** Descriptors kept for the API's connections, the database pool and files, at most. */
const RESERVED_DESCRIPTORS = 1024;

/** Streams that fit in `fdLimit` descriptors with room left for everything else (a quarter, at most 1024). */
export function defaultMaxStreams(fdLimit: number): number {
  return Math.max(16, fdLimit - Math.min(RESERVED_DESCRIPTORS, Math.floor(fdLimit / 4)));
}

/** `fdLimit` is this process's open-file limit, which sizes `SYNC_MAX_STREAMS` when unset. */
export function loadConfig(env: Env = process.env, fdLimit = 20_000): Config {
  const errors: string[] = [];
  const attempt = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (error) {
      errors.push((error as Error).message);
      return fallback;
    }
  };
  const config: Config = {
    port: attempt(() => integer(env, "PORT", 3000, 0, 65535), 3000),
    databaseUrl: attempt(() => databaseUrl(env), undefined),
    dataDir: env.DATA_DIR?.trim() || ".data",
    sync: {
      batchMs: attempt(() => integer(env, "SYNC_BATCH_MS", 1000, 0, 60_000), 0),
      batchAudience: attempt(() => integer(env, "SYNC_BATCH_AUDIENCE", 5000, 1, 10_000_000), 1),
      maxBatch: attempt(() => integer(env, "SYNC_MAX_BATCH", 100, 1, 10_000), 0),
      catchupLimit: attempt(
        () => integer(env, "SYNC_CATCHUP_LIMIT", DEFAULTS.catchupLimit, 1, 10_000),
        0,
      ),
      pageSize: attempt(() => integer(env, "SYNC_PAGE_SIZE", DEFAULTS.pageSize, 1, 1000), 0),
      heartbeatMs: attempt(
        () => integer(env, "SYNC_HEARTBEAT_MS", DEFAULTS.heartbeatMs, 100, 3_600_000),
        0,
      ),
      maxBufferBytes: attempt(
        () => integer(env, "SYNC_MAX_BUFFER_BYTES", 1_048_576, 1024, 1_073_741_824),
        0,
      ),
      maxStreams: attempt(
        () => integer(env, "SYNC_MAX_STREAMS", defaultMaxStreams(fdLimit), 1, 10_000_000),
        0,
      ),
      maxStreamsPerBeing: attempt(
        () => integer(env, "SYNC_MAX_STREAMS_PER_BEING", 1000, 1, 1_000_000),
        0,
      ),
      maxStreamsPerAddress: attempt(
        () => integer(env, "SYNC_MAX_STREAMS_PER_ADDRESS", 2000, 1, 10_000_000),
        0,
      ),
      maxSpacesPerStream: attempt(
        () => integer(env, "SYNC_MAX_SPACES_PER_STREAM", 500, 1, 10_000),
        0,
      ),
      safetyPollMs: attempt(() => integer(env, "SYNC_SAFETY_POLL_MS", 10_000, 50, 3_600_000), 0),
    },
    rate: {
      signupPerMinute: attempt(() => integer(env, "RATE_SIGNUP_PER_MINUTE", 300, 1, 1_000_000), 0),
      signinPerMinute: attempt(() => integer(env, "RATE_SIGNIN_PER_MINUTE", 30, 1, 1_000_000), 0),
      signinPerAddressPerMinute: attempt(
        () => integer(env, "RATE_SIGNIN_PER_ADDRESS_PER_MINUTE", 100, 1, 1_000_000),
        0,
      ),
      writesPerMinute: attempt(() => integer(env, "RATE_WRITES_PER_MINUTE", 600, 1, 10_000_000), 0),
      spacesPerMinute: attempt(() => integer(env, "RATE_SPACES_PER_MINUTE", 30, 1, 1_000_000), 0),
      maxPendingHashes: attempt(() => integer(env, "RATE_MAX_PENDING_HASHES", 0, 0, 1_000_000), 0),
    },
    webDir: env.WEB_DIR?.trim() || undefined,
    workers: attempt(() => integer(env, "SERVER_WORKERS", 1, 1, 64), 1),
    trustProxyHops: attempt(() => integer(env, "TRUST_PROXY_HOPS", 0, 0, 10), 0),
    metricsToken: env.METRICS_TOKEN?.trim() || undefined,
    logRequests: attempt(() => flag(env, "LOG_REQUESTS"), false),
  };
  if (config.workers > 1 && !config.databaseUrl && errors.length === 0) {
    errors.push("SERVER_WORKERS > 1 needs DATABASE_URL: PGlite cannot be shared by processes");
  }
  if (errors.length > 0) throw new ConfigError(`Invalid configuration:\n  ${errors.join("\n  ")}`);
  return config;
}
