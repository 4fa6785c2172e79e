import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "./config.ts";

describe("configuration", () => {
  test("defaults", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe(".data");
    expect(config.sync).toMatchObject({
      batchMs: 1000,
      batchAudience: 5000,
      maxBatch: 100,
      catchupLimit: 50,
      pageSize: 50,
      heartbeatMs: 15_000,
      maxBufferBytes: 1_048_576,
    });
    expect(config.workers).toBe(1);
    expect(config.trustProxyHops).toBe(0);
    // Generous: abuse bounds, not in the way of a bot, a load test or a test suite.
    expect(config.sync.maxStreamsPerBeing).toBe(1000);
    expect(config.sync.maxStreamsPerAddress).toBe(2000);
    expect(config.rate).toEqual({
      signupPerMinute: 300,
      signinPerMinute: 30,
      signinPerAddressPerMinute: 100,
      writesPerMinute: 600,
      spacesPerMinute: 30,
      maxPendingHashes: 0,
    });
  });

  test("SYNC_MAX_STREAMS defaults to what the descriptor limit holds, with room for the rest", () => {
    expect(loadConfig({}, 20_000).sync.maxStreams).toBe(18_976);
    expect(loadConfig({}, 1024).sync.maxStreams).toBe(768);
    expect(loadConfig({}, 1_048_576).sync.maxStreams).toBe(1_047_552);
    expect(loadConfig({ SYNC_MAX_STREAMS: "5" }, 1024).sync.maxStreams).toBe(5);
  });

  test("every RATE_* variable is read", () => {
    const config = loadConfig({
      RATE_SIGNUP_PER_MINUTE: "1",
      RATE_SIGNIN_PER_MINUTE: "2",
      RATE_SIGNIN_PER_ADDRESS_PER_MINUTE: "3",
      RATE_WRITES_PER_MINUTE: "4",
      RATE_SPACES_PER_MINUTE: "5",
      RATE_MAX_PENDING_HASHES: "6",
    });
    expect(config.rate).toEqual({
      signupPerMinute: 1,
      signinPerMinute: 2,
      signinPerAddressPerMinute: 3,
      writesPerMinute: 4,
      spacesPerMinute: 5,
      maxPendingHashes: 6,
    });
    expect(() => loadConfig({ RATE_SPACES_PER_MINUTE: "0" })).toThrow(/RATE_SPACES_PER_MINUTE/);
  });

  test("TRUST_PROXY_HOPS: how many proxies append to X-Forwarded-For", () => {
    expect(loadConfig({ TRUST_PROXY_HOPS: "2" }).trustProxyHops).toBe(2);
    expect(() => loadConfig({ TRUST_PROXY_HOPS: "-1" })).toThrow(/TRUST_PROXY_HOPS/);
  });

  test("METRICS_TOKEN: unset or blank means /metrics is public, with totals only", () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: "  " }).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: " abc " }).metricsToken).toBe("abc");
  });

  test("every SYNC_* variable is read", () => {
    const config = loadConfig({
      SYNC_BATCH_MS: "5",
      SYNC_BATCH_AUDIENCE: "7",
      SYNC_MAX_BATCH: "6",
      SYNC_CATCHUP_LIMIT: "7",
      SYNC_PAGE_SIZE: "8",
      SYNC_HEARTBEAT_MS: "900",
      SYNC_MAX_BUFFER_BYTES: "4096",
      SYNC_MAX_STREAMS: "40",
      SYNC_MAX_STREAMS_PER_BEING: "3",
      SYNC_MAX_STREAMS_PER_ADDRESS: "9",
      SYNC_MAX_SPACES_PER_STREAM: "12",
      SYNC_SAFETY_POLL_MS: "250",
    });
    expect(config.sync).toEqual({
      batchMs: 5,
      batchAudience: 7,
      maxBatch: 6,
      catchupLimit: 7,
      pageSize: 8,
      heartbeatMs: 900,
      maxBufferBytes: 4096,
      maxStreams: 40,
      maxStreamsPerBeing: 3,
      maxStreamsPerAddress: 9,
      maxSpacesPerStream: 12,
      safetyPollMs: 250,
    });
  });

  test.each([
    ["SYNC_BATCH_MS", "soon"],
    ["SYNC_BATCH_AUDIENCE", "0"],
    ["SYNC_MAX_BATCH", "0"],
    ["SYNC_CATCHUP_LIMIT", "-1"],
    ["SYNC_PAGE_SIZE", "1.5"],
    ["SYNC_HEARTBEAT_MS", "10"],
    ["SYNC_MAX_BUFFER_BYTES", "1k"],
    ["SYNC_MAX_STREAMS_PER_BEING", "many"],
    ["SYNC_MAX_STREAMS", "0"],
    ["SYNC_MAX_STREAMS_PER_ADDRESS", "lots"],
    ["SYNC_SAFETY_POLL_MS", "9999999999"],
    ["PORT", "70000"],
    ["DATABASE_URL", "mysql://somewhere"],
    ["SERVER_WORKERS", "two"],
  ])("a bad %s (%p) stops start-up with a message naming it", (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(name);
  });

  test("an empty value means unset: the default applies", () => {
    expect(loadConfig({ SYNC_BATCH_MS: "", PORT: " " })).toMatchObject({
      port: 3000,
      sync: { batchMs: 1000 },
    });
  });

  test("all bad values are reported at once", () => {
    expect(() => loadConfig({ SYNC_BATCH_MS: "x", SYNC_PAGE_SIZE: "y" })).toThrow(
      /SYNC_BATCH_MS[\s\S]*SYNC_PAGE_SIZE/,
    );
  });

  test("several workers need Postgres: PGlite cannot be shared by processes", () => {
    expect(() => loadConfig({ SERVER_WORKERS: "2" })).toThrow(
      /SERVER_WORKERS > 1 needs DATABASE_URL/,
    );
    expect(loadConfig({ SERVER_WORKERS: "2", DATABASE_URL: "postgres://x/y" }).workers).toBe(2);
  });
});
