import type { Subprocess } from "bun";
import type { InstanceRole } from "./instance.ts";
import { PrimaryMetrics } from "./instance-metrics.ts";
import { PrimarySiblings } from "./siblings.ts";
import { PrimaryStartup } from "./startup.ts";

/** Set in the processes a primary starts: they serve, and supervise nothing. */
export const WORKER_INDEX_ENV = "RZ_WORKER_INDEX";

export function isWorker(): boolean {
  return process.env[WORKER_INDEX_ENV] !== undefined;
}

/** This worker's number among its instance's processes (from 1: the primary is 0). */
export function workerIndex(): number {
  return Number(process.env[WORKER_INDEX_ENV]);
}

/**
 * Runs `count` more copies of this process as workers sharing the port (SO_REUSEPORT), so
 * that fan-out uses every core; each one LISTENs and fans out on its own, as separate
 * instances do. A worker that dies is started again; `stop` ends them all.
 */
export function superviseWorkers(count: number): {
  /**
   * The primary's part: all listen together (startup.ts), scrapes sum every worker, and
   * writes are told to every process (siblings.ts).
   */
  role: InstanceRole;
  stop(signal: NodeJS.Signals): Promise<void>;
} {
  const workers = new Map<number, Subprocess>();
  const live = () => [...workers.values()];
  const startup = new PrimaryStartup(live);
  const metrics = new PrimaryMetrics(live);
  const siblings = new PrimarySiblings(live);
  let stopping = false;
  const start = (index: number) => {
    const worker = Bun.spawn([process.execPath, ...process.argv.slice(1)], {
      env: { ...process.env, [WORKER_INDEX_ENV]: String(index) },
      stdio: ["ignore", "inherit", "inherit"],
      ipc: (message, from) => {
        if (siblings.received(from, message) || metrics.received(from, message)) return;
        startup.received(from, message);
      },
    });
    workers.set(index, worker);
    void worker.exited.then((code) => {
      startup.ended(worker);
      if (stopping) return;
      console.error(`worker ${index} exited (${code}), starting it again`);
      setTimeout(() => start(index), 1000);
    });
  };
  for (let index = 1; index <= count; index++) start(index);
  return {
    role: { startup, metrics, siblings, origin: 0 },
    async stop(signal) {
      stopping = true;
      for (const worker of workers.values()) worker.kill(signal);
      await Promise.all([...workers.values()].map((worker) => worker.exited));
    },
  };
}
