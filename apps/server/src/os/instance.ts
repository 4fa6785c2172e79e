import { type InstanceMetrics, soloMetrics, workerMetrics } from "./instance-metrics.ts";
import { type Startup, soloStartup, workerStartup } from "./startup.ts";

/**
 * This process's part in its instance: one process alone, or one of SERVER_WORKERS sharing a
 * port (the primary's part comes from `superviseWorkers`). How it starts, and whose metrics
 * its /metrics answers.
 */
export type InstanceRole = { startup: Startup; metrics: InstanceMetrics };

/** What the app reads of its role: whether the instance is ready, and whose metrics. */
export type InstanceView = { startup: Pick<Startup, "ready">; metrics: InstanceMetrics };

export function soloRole(): InstanceRole {
  return { startup: soloStartup(), metrics: soloMetrics() };
}

export function workerRole(): InstanceRole {
  return { startup: workerStartup(), metrics: workerMetrics() };
}
