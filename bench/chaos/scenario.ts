import type { ConnectionSettings } from "@rhizome/protocol";
import { derive } from "@rhizome/testkit";
import type { ChaosOptions } from "./args.ts";
import { readHead, readSpace } from "./audit.ts";
import type { ChaosEnvironment } from "./environment.ts";
import { playSchedule } from "./faults.ts";
import { Api } from "./http.ts";
import { Ledger } from "./ledger.ts";
import { MB, MemorySampler } from "./memory.ts";
import { buildSchedule } from "./schedule.ts";
import { StalledRun, type StallResult } from "./stalled-run.ts";
import { AuditedSubscriber } from "./subscriber.ts";
import { audit, type ChaosResult } from "./verdict.ts";
import { Writer } from "./writer.ts";

export const HEARTBEAT_MS = 1_000;
/** Small, so that a stalled reader is cut off after a few megabytes (mostly kernel buffers). */
export const MAX_BUFFER_BYTES = 65_536;
const PASSWORD = "chaos monkey business";
const CLIENT_SETTINGS: ConnectionSettings = {
  heartbeatMs: HEARTBEAT_MS,
  minBackoffMs: 100,
  maxBackoffMs: 2_000,
};

/** What the caller must be able to stop on any exit path. */
export type Running = { subscribers: AuditedSubscriber[]; writers: Writer[]; stall?: StalledRun };

type Cast = {
  spaceId: string;
  writerTokens: string[];
  floodToken: string;
  readerTokens: string[];
  stalledToken: string;
};

/** Beings and the space, made straight on the first server before any fault. */
async function setUp(options: ChaosOptions, baseUrl: string): Promise<Cast> {
  const direct = new Api(baseUrl);
  const tag = options.seed.toString(36);
  const signup = async (role: string) => {
    const reply = await direct.signup(`${role}_${tag}`.slice(0, 32), PASSWORD);
    if (!reply.ok) throw new Error(`signup ${role}: ${reply.status} ${reply.detail}`);
    return reply.body.token;
  };
  const owner = direct.as(await signup("owner"));
  const created = await owner.createSpace(`chaos ${options.seed}`);
  if (!created.ok) throw new Error(`create space: ${created.status} ${created.detail}`);
  const spaceId = created.body.space.id;
  const member = async (role: string) => {
    const token = await signup(role);
    const joined = await direct.as(token).join(spaceId);
    if (!joined.ok) throw new Error(`join ${role}: ${joined.status} ${joined.detail}`);
    return token;
  };
  return {
    spaceId,
    writerTokens: await Promise.all(
      Array.from({ length: options.writers }, (_, i) => member(`w${i}`)),
    ),
    floodToken: await member("flood"),
    // Readers of a public space need no membership.
    readerTokens: await Promise.all(
      Array.from({ length: options.subscribers }, (_, i) => signup(`s${i}`)),
    ),
    stalledToken: await signup("stalled"),
  };
}

/**
 * The run: set-up, subscribers live, writers and faults, writers finishing, convergence,
 * audit. Whatever it starts goes into `running`, for the caller to stop on any exit path.
 */
export async function runChaos(
  options: ChaosOptions,
  env: ChaosEnvironment,
  running: Running,
  log: (line: string) => void,
): Promise<ChaosResult> {
  const sql = env.sql;
  const proxy = env.proxy;
  const anchor = env.servers[0];
  if (!sql || !proxy || !anchor) throw new Error("environment not started");
  const ledger = new Ledger();
  const { spaceId, writerTokens, floodToken, readerTokens, stalledToken } = await setUp(
    options,
    anchor.url,
  );

  const proxied = new Api(proxy.url);
  running.subscribers.push(
    ...readerTokens.map(
      (token, index) =>
        new AuditedSubscriber({
          index,
          spaceId,
          api: proxied.as(token),
          settings: CLIENT_SETTINGS,
        }),
    ),
  );
  const { subscribers } = running;
  for (const subscriber of subscribers) subscriber.start();
  await converge(sql, spaceId, subscribers, 20_000, log);
  log(`${subscribers.length} subscribers live on space ${spaceId}`);

  // Load and faults.
  running.writers.push(
    ...writerTokens.map(
      (token, index) =>
        new Writer({
          index,
          api: proxied.as(token),
          spaceId,
          ledger,
          random: derive(options.seed, 1 + index),
          pauseMs: [20, 160],
        }),
    ),
  );
  const stall = new StalledRun({
    anchor,
    spaceId,
    readerToken: stalledToken,
    floodToken,
    ledger,
    floodWriter: options.writers,
    maxBytes: 24 * MB,
  });
  running.stall = stall;
  const memory = new MemorySampler(env.servers);
  memory.start(250);
  env.watchCrashes(log);
  const writing = running.writers.map((writer) => writer.run());
  const schedule = buildSchedule(options.seed, {
    durationMs: options.faultMs,
    servers: env.servers.length,
    subscribers: subscribers.length,
  });
  const startedAt = performance.now();
  const faults = await playSchedule(
    schedule,
    { env, subscribers, stall: () => stall.start(), log },
    startedAt,
  );
  const rest = startedAt + options.faultMs - performance.now();
  if (rest > 0) await Bun.sleep(rest);

  // Writers finish the write in flight; the flood ends with its cutoff.
  log(`faults over: ${ledger.acknowledged} writes acknowledged so far; writers finishing`);
  for (const writer of running.writers) writer.stop();
  if (!(await within(Promise.all(writing), options.drainMs))) {
    log("writers still retrying at the deadline: abandoning their last write");
    for (const writer of running.writers) writer.abandon();
    await Promise.all(writing);
  }
  const stallResult = await finishStall(stall, options.drainMs, log);

  // Every subscriber live, at the head, history loaded; then the audit.
  const space = await converge(sql, spaceId, subscribers, options.convergeMs, log);
  memory.stop();
  const result = audit({
    ledger,
    space,
    subscribers,
    stallResult,
    memory,
    faults,
    schedule,
  });
  for (const crash of env.crashes) {
    result.failures.push(crash.split("\n", 1)[0] ?? crash);
    result.report.push(crash);
  }
  return result;
}

async function finishStall(
  stall: StalledRun,
  deadlineMs: number,
  log: (line: string) => void,
): Promise<StallResult | undefined> {
  const result = stall.result();
  if (!result) return undefined;
  if (!(await within(result, deadlineMs))) {
    log("the flood is still retrying at the deadline: abandoning it");
    stall.abandon();
  }
  return result;
}

/**
 * Waits until every subscriber is live, holding every change of the database, with its
 * history loaded, and the head did not move meanwhile; returns the space as read then. Past the deadline it
 * returns anyway: the audit reports whoever is behind as diverged.
 */
async function converge(
  sql: NonNullable<ChaosEnvironment["sql"]>,
  spaceId: string,
  subscribers: AuditedSubscriber[],
  deadlineMs: number,
  log: (line: string) => void,
) {
  const deadline = performance.now() + deadlineMs;
  const began = performance.now();
  while (true) {
    const space = await readSpace(sql, spaceId);
    if (subscribers.every((subscriber) => subscriber.caughtUp(space))) {
      // Settled: the head has not moved since the snapshot every subscriber matched.
      if ((await readHead(sql, spaceId)) === space.head) {
        log(`converged at ${space.head} in ${Math.round(performance.now() - began)} ms`);
        return space;
      }
    }
    if (performance.now() > deadline) {
      log(`not converged within ${deadlineMs} ms (head ${space.head}):`);
      for (const subscriber of subscribers) {
        if (!subscriber.caughtUp(space)) log(`  ${subscriber.describe()}`);
      }
      return readSpace(sql, spaceId);
    }
    await Bun.sleep(100);
  }
}

function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([promise.then(() => true), Bun.sleep(ms).then(() => false)]);
}
