import { NO_SIBLINGS, type SiblingLink } from "../sync/siblings.ts";
import { type InstanceMetrics, soloMetrics, workerMetrics } from "./instance-metrics.ts";
import { workerSiblings } from "./siblings.ts";
import { type Startup, soloStartup, workerStartup } from "./startup.ts";

/**
 * This process's part in its instance: one process alone, or one of SERVER_WORKERS sharing a
 * port (the primary's part comes from `superviseWorkers`). How it starts, whose metrics its
 * /metrics answers, and which other processes hear of its writes (`origin` names it to them).
 */
export type InstanceRole = {
  startup: Startup;
  metrics: InstanceMetrics;
  siblings: SiblingLink;
  origin: number;
};

/** What the app reads of its role: whether the instance is ready, whose metrics, its siblings. */
export type InstanceView = Omit<InstanceRole, "startup"> & { startup: Pick<Startup, "ready"> };

export function soloRole(): InstanceRole {
  return { startup: soloStartup(), metrics: soloMetrics(), siblings: NO_SIBLINGS, origin: 0 };
}

/** Worker `index` (from 1; the primary is 0). */
export function workerRole(index: number): InstanceRole {
  return {
    startup: workerStartup(),
    metrics: workerMetrics(),
    siblings: workerSiblings(),
    origin: index,
  };
}
