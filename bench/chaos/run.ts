/**
 * The chaos suite: `bun run chaos -- [--quick] [--seed N]`. See docs/CHAOS.md.
 * Its last line is the verdict; the exit code is 0 only when nothing was lost, duplicated or
 * left diverged and no other finding came up; 2 when the run itself broke.
 */
import { parseOptions, USAGE } from "./args.ts";
import { ChaosEnvironment } from "./environment.ts";
import { HEARTBEAT_MS, MAX_BUFFER_BYTES, type Running, runChaos } from "./scenario.ts";
import type { ChaosResult } from "./verdict.ts";

let options: ReturnType<typeof parseOptions>;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  console.error(`chaos: ${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (options === "help") {
  console.log(USAGE);
  process.exit(0);
}
const chaos = options;

const began = performance.now();
const log = (line: string) => {
  console.log(`${((performance.now() - began) / 1000).toFixed(1).padStart(6)}s  ${line}`);
};

const env = new ChaosEnvironment();
const running: Running = { subscribers: [], writers: [] };
let finishing = false;

/** Every exit goes through here: stop the clients, then servers, proxy and cluster. */
async function finish(code: number, lastLine: string): Promise<never> {
  if (finishing) return new Promise<never>(() => {});
  finishing = true;
  for (const writer of running.writers) writer.abandon();
  running.stall?.abandon();
  for (const subscriber of running.subscribers) subscriber.stop();
  await env.stop();
  log(`cleaned up (${env.servers.length} servers, proxy, Postgres cluster)`);
  console.log(lastLine);
  process.exit(code);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    void finish(130, `chaos: interrupted (seed ${chaos.seed}; replay: ${chaos.replay})`);
  });
}
process.on("unhandledRejection", (error) => {
  log(`unhandled rejection: ${(error as Error)?.stack ?? error}`);
  void finish(2, `chaos: run broke: unhandled rejection (seed ${chaos.seed})`);
});
// Without this, an error thrown from a socket's callback while the servers are being stopped
// ends the process with 1 after a clean verdict, and says nothing of where it came from.
process.on("uncaughtException", (error) => {
  log(`uncaught exception${finishing ? " while cleaning up" : ""}: ${error?.stack ?? error}`);
  void finish(2, `chaos: run broke: uncaught exception (seed ${chaos.seed})`);
});
setTimeout(() => {
  log(`the run exceeded ${chaos.hardLimitMs / 1000} s`);
  void finish(2, `chaos: run broke: over time (seed ${chaos.seed}; replay: ${chaos.replay})`);
}, chaos.hardLimitMs).unref();

console.log(
  `chaos: seed ${chaos.seed} (${chaos.quick ? "quick" : "full"}: ${chaos.faultMs / 1000} s of faults, ` +
    `${chaos.servers} servers, ${chaos.subscribers} subscribers, ${chaos.writers} writers; ` +
    `heartbeat ${HEARTBEAT_MS} ms, max buffer ${MAX_BUFFER_BYTES} bytes)`,
);
console.log(`chaos: replay with: ${chaos.replay}`);

let result: ChaosResult;
try {
  await env.start({
    servers: chaos.servers,
    heartbeatMs: HEARTBEAT_MS,
    maxBufferBytes: MAX_BUFFER_BYTES,
    log,
  });
  result = await runChaos(chaos, env, running, log);
} catch (error) {
  log(`run broke: ${(error as Error)?.stack ?? error}`);
  for (const [index, server] of env.servers.entries()) {
    log(`server ${index} last output:\n${server.output.slice(-20).join("")}`);
  }
  const reason = String((error as Error)?.message ?? error).split("\n", 1)[0];
  await finish(2, `chaos: run broke: ${reason} (seed ${chaos.seed}; replay: ${chaos.replay})`);
  throw error;
}

for (const line of result.report) log(line);
// What each server said (crashes, failed flushes): after a divergence, or with CHAOS_DEBUG=1.
if (process.env.CHAOS_DEBUG || result.diverged > 0) {
  for (const [index, server] of env.servers.entries()) {
    log(`server ${index} (pid ${server.pid}) output:\n${server.output.slice(-40).join("")}`);
  }
}
for (const failure of result.failures) log(`FAILED: ${failure}`);
const failed =
  result.lost > 0 || result.duplicated > 0 || result.diverged > 0 || result.failures.length > 0;
if (failed) log(`replay this run with: ${chaos.replay}`);
await finish(
  failed ? 1 : 0,
  `chaos: lost ${result.lost}, duplicated ${result.duplicated}, diverged ${result.diverged} of ${chaos.subscribers} subscribers, ${result.acknowledged} writes acknowledged, ${result.faults} faults injected`,
);
