import { type ParseArgsConfig, parseArgs } from "node:util";
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

/** The numeric flags, each with its range; `--help`, `-h` and `--quick` are the switches. */
const NUMBERS = {
  seed: { min: 0, max: 0xffff_ffff },
  duration: { min: 5, max: 3_600 },
  subscribers: { min: 1, max: 200 },
  writers: { min: 1, max: 50 },
  servers: { min: 2, max: 5 },
} as const;
type NumberFlag = keyof typeof NUMBERS;

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  quick: { type: "boolean" },
  ...Object.fromEntries(Object.keys(NUMBERS).map((name) => [name, { type: "string" }])),
} satisfies ParseArgsConfig["options"];

/** Parses the command line; throws an Error with a message fit for the user. */
export function parseOptions(argv: string[]): ChaosOptions | "help" {
  const flags = readFlags(argv);
  if (flags === "help") return "help";
  const quick = flags.has("quick");
  const number = (name: NumberFlag, fallback: number) => {
    const raw = flags.get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    const { min, max } = NUMBERS[name];
    if (value < min || value > max) throw new Error(`--${name} must be within ${min}..${max}`);
    return value;
  };
  const seed = number("seed", randomSeed());
  const faultMs = number("duration", quick ? 20 : 72) * 1000;
  const options: ChaosOptions = {
    quick,
    seed,
    faultMs,
    subscribers: number("subscribers", quick ? 8 : 12),
    writers: number("writers", quick ? 4 : 6),
    servers: number("servers", 3),
    drainMs: 15_000,
    convergeMs: quick ? 30_000 : 60_000,
    hardLimitMs: faultMs + 150_000,
    replay: "",
  };
  const shaping = [...flags].filter(([name]) => name !== "seed" && name !== "quick");
  options.replay = [
    "bun run chaos --",
    ...(quick ? ["--quick"] : []),
    `--seed ${seed}`,
    ...shaping.map(([name, value]) => `--${name} ${value}`),
  ].join(" ");
  return options;
}

/**
 * The flags given, by name (the last of a repeated flag wins), or "help". `parseArgs` reads
 * the tokens (`--seed 7` and `--seed=7` alike, a value kept whole); what it lets through in
 * its lenient mode (unknown flags, missing or malformed values, stray words) is refused here
 * with a message naming the argument.
 */
function readFlags(argv: string[]): Map<string, string> | "help" {
  // `bun run chaos -- …` may pass the separator through; it never ends the flags here.
  const args = argv.filter((arg) => arg !== "--");
  const { tokens } = parseArgs({
    args,
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const flags = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") throw new Error(`unexpected argument ${token.value}`);
    const { name, rawName, value } = token;
    if (name === "help") return "help";
    if (name === "quick") {
      if (value !== undefined) throw new Error(`--quick takes no value (got ${rawName}=${value})`);
      flags.set(name, "");
      continue;
    }
    if (!Object.hasOwn(NUMBERS, name)) throw new Error(`unknown option ${rawName}`);
    if (value === undefined || !INTEGER.test(value)) {
      const got = value === undefined ? "nothing" : JSON.stringify(value);
      throw new Error(`--${name} needs a whole number, got ${got}`);
    }
    flags.set(name, value);
  }
  return flags;
}
