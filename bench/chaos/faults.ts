import { terminateListeners } from "@rhizome/testkit";
import type { ChaosEnvironment } from "./environment.ts";
import { describeFault, type Fault, type ScheduledFault } from "./schedule.ts";
import type { AuditedSubscriber } from "./subscriber.ts";

export type FaultTargets = {
  env: ChaosEnvironment;
  subscribers: AuditedSubscriber[];
  /** Starts the stalled subscriber and its flood in the background. */
  stall: () => void;
  log: (line: string) => void;
};

/**
 * Plays a schedule: each fault at its time (or as soon as the previous one is over, since
 * faults never overlap), so that a seed replays the same faults in the same order.
 */
export async function playSchedule(
  schedule: ScheduledFault[],
  targets: FaultTargets,
  startedAt: number,
): Promise<number> {
  let injected = 0;
  for (const { atMs, fault } of schedule) {
    const wait = startedAt + atMs - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    const at = ((performance.now() - startedAt) / 1000).toFixed(1);
    targets.log(`t=${at}s fault ${injected + 1}/${schedule.length}: ${describeFault(fault)}`);
    const began = performance.now();
    await inject(fault, targets);
    const took = performance.now() - began;
    if (took > 250) targets.log(`  (took ${Math.round(took)} ms)`);
    injected++;
  }
  return injected;
}

async function inject(fault: Fault, targets: FaultTargets): Promise<void> {
  const { env, subscribers } = targets;
  const proxy = env.proxy;
  if (!proxy || !env.cluster) throw new Error("environment not started");
  switch (fault.kind) {
    case "drop-subscribers":
      for (const index of fault.subscribers) {
        subscribers[index]?.client.dropConnection("chaos: dropped");
      }
      return;
    case "latency":
      proxy.latencyMs = fault.ms;
      await Bun.sleep(fault.forMs);
      // Chunks still waiting out the old latency would overtake the new ones (the proxy
      // delays each chunk on its own timer): end the episode with a reset, not a reorder.
      proxy.latencyMs = 0;
      proxy.cutAll();
      return;
    case "cut-connections":
      proxy.cutAll();
      if (fault.blockMs > 0) {
        proxy.blocked = true;
        await Bun.sleep(fault.blockMs);
        proxy.blocked = false;
      }
      return;
    case "kill-server":
      await env.restartServer(fault.server);
      return;
    case "restart-postgres":
      await env.cluster.restart("fast");
      return;
    case "terminate-listeners": {
      const ended = await terminateListeners(env.databaseUrl);
      if (ended === 0) targets.log("  (no LISTEN connection was open)");
      return;
    }
    case "stall-subscriber":
      targets.stall();
      return;
  }
}
