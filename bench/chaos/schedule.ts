import { between, derive, pick, type Random, shuffle } from "@rhizome/testkit";

/** One fault. Server 0 is the anchor (the stalled subscriber's instance): it is never killed. */
export type Fault =
  | { kind: "drop-subscribers"; subscribers: number[] }
  | { kind: "latency"; ms: number; forMs: number }
  | { kind: "cut-connections"; blockMs: number }
  | { kind: "kill-server"; server: number }
  | { kind: "restart-postgres" }
  | { kind: "terminate-listeners" }
  | { kind: "stall-subscriber" };

export type FaultKind = Fault["kind"];
export type ScheduledFault = { atMs: number; fault: Fault };

export type ScheduleShape = {
  /** How long faults are injected, from the start of the load. */
  durationMs: number;
  servers: number;
  subscribers: number;
};

/** Mean time between two faults; the runner never overlaps them. */
const SLOT_MS = 1_400;

/** Kinds every run injects at least once, and how often the rest of the slots draw each. */
const WEIGHTS: [FaultKind, number][] = [
  ["drop-subscribers", 30],
  ["cut-connections", 20],
  ["latency", 15],
  ["kill-server", 15],
  ["terminate-listeners", 12],
  ["restart-postgres", 8],
];

/**
 * The fault schedule of a run: a pure function of the seed and the run's shape, so that
 * `--seed` replays it. The stall comes first (its flood must end while faults still run);
 * every other kind appears at least once, the remaining slots are drawn by weight.
 */
export function buildSchedule(seed: number, shape: ScheduleShape): ScheduledFault[] {
  const random = derive(seed, 0);
  const slots = Math.max(WEIGHTS.length + 1, Math.floor(shape.durationMs / SLOT_MS));
  const kinds: FaultKind[] = WEIGHTS.map(([kind]) => kind);
  while (kinds.length < slots - 1) kinds.push(weighted(random));
  shuffle(random, kinds);
  kinds.unshift("stall-subscriber");
  return kinds.map((kind, slot) => ({
    atMs: Math.round((slot + 0.2 + random() * 0.6) * (shape.durationMs / slots)),
    fault: makeFault(random, kind, shape),
  }));
}

function weighted(random: Random): FaultKind {
  const total = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [kind, weight] of WEIGHTS) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return WEIGHTS[0]?.[0] ?? "drop-subscribers";
}

function makeFault(random: Random, kind: FaultKind, shape: ScheduleShape): Fault {
  switch (kind) {
    case "drop-subscribers": {
      const all = Array.from({ length: shape.subscribers }, (_, index) => index);
      const count = between(random, 1, Math.max(1, Math.ceil(shape.subscribers / 3)));
      return {
        kind,
        subscribers: shuffle(random, all)
          .slice(0, count)
          .sort((a, b) => a - b),
      };
    }
    case "latency":
      return { kind, ms: between(random, 20, 400), forMs: between(random, 500, 2_000) };
    case "cut-connections":
      return { kind, blockMs: pick(random, [0, 0, between(random, 100, 1_500)]) };
    case "kill-server":
      return { kind, server: shape.servers > 1 ? between(random, 1, shape.servers - 1) : 0 };
    case "restart-postgres":
    case "terminate-listeners":
    case "stall-subscriber":
      return { kind };
  }
}

/** One line per fault, for the log and for comparing two runs of a seed. */
export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case "drop-subscribers":
      return `drop subscribers ${fault.subscribers.join(",")}`;
    case "latency":
      return `proxy latency ${fault.ms} ms for ${fault.forMs} ms, then reset connections`;
    case "cut-connections":
      return `reset all proxied connections${fault.blockMs ? `, refuse new ones for ${fault.blockMs} ms` : ""}`;
    case "kill-server":
      return `SIGKILL server ${fault.server}, restart it`;
    case "restart-postgres":
      return "restart Postgres (fast)";
    case "terminate-listeners":
      return "terminate the LISTEN connections";
    case "stall-subscriber":
      return "a subscriber stops reading; flood the space until the server cuts it off";
  }
}
