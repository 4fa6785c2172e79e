import { randomSeed } from "@rhizome/testkit";

export type ChaosOptions = {
  quick: boolean;
  seed: number;
  /** How long faults are injected while writers write. */
  faultMs: number;
  subscribers: number;
  writers: number;
  servers: number;
  /** How long writers get to finish the write in flight once faults stop. */
  drainMs: number;
  /** How long subscribers get to catch up with the database once writers are done. */
  convergeMs: number;
  /** The whole run, set-up to clean-up: past it the run is reported as broken. */
  hardLimitMs: number;
  /** The flags that shape the schedule, to print a command that replays the run. */
  replay: string;
};

export const USAGE = `Usage: bun run chaos -- [--quick] [--seed N] [--duration SECONDS]
                      [--subscribers K] [--writers W] [--servers N]

Starts a throw-away Postgres cluster, N server instances behind a fault-injecting proxy,
K audited subscribers and W writers, injects a seeded schedule of faults, then checks
that nothing was lost, duplicated or left diverged. See docs/CHAOS.md.

  --quick          a ~30 s run (CI); the default run takes ~90 s
  --seed N         replay the fault schedule of seed N (0..4294967295); printed at start
  --duration S     seconds of fault injection (quick 20, default 72)
  --subscribers K  audited subscribers (quick 8, default 12)
  --writers W      writers (quick 4, default 6)
  --servers N      server instances, 2..5 (3)`;

const INTEGER = /^\d+$/;

/** Parses the command line; throws an Error with a message fit for the user. */
export function parseOptions(argv: string[]): ChaosOptions | "help" {
  const flags = new Map<string, string>();
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") continue;
    if (arg === "--help" || arg === "-h") return "help";
    if (arg === "--quick") {
      quick = true;
      continue;
    }
    const [name, inline] = arg.split("=", 2) as [string, string | undefined];
    if (!["--seed", "--duration", "--subscribers", "--writers", "--servers"].includes(name)) {
      throw new Error(`unknown option ${arg}`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined || !INTEGER.test(value)) {
      throw new Error(`${name} needs a whole number`);
    }
    flags.set(name, value);
  }
  const number = (name: string, fallback: number, min: number, max: number) => {
    const raw = flags.get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (value < min || value > max) throw new Error(`${name} must be within ${min}..${max}`);
    return value;
  };
  const seed = number("--seed", randomSeed(), 0, 0xffff_ffff);
  const faultMs = number("--duration", quick ? 20 : 72, 5, 3_600) * 1000;
  const options: ChaosOptions = {
    quick,
    seed,
    faultMs,
    subscribers: number("--subscribers", quick ? 8 : 12, 1, 200),
    writers: number("--writers", quick ? 4 : 6, 1, 50),
    servers: number("--servers", 3, 2, 5),
    drainMs: 15_000,
    convergeMs: quick ? 30_000 : 60_000,
    hardLimitMs: faultMs + 150_000,
    replay: "",
  };
  const shaping = [...flags].filter(([name]) => name !== "--seed");
  options.replay = [
    "bun run chaos --",
    ...(quick ? ["--quick"] : []),
    `--seed ${seed}`,
    ...shaping.map(([name, value]) => `${name} ${value}`),
  ].join(" ");
  return options;
}
