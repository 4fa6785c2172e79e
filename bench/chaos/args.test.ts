import { describe, expect, test } from "bun:test";
import { parseOptions } from "./args.ts";

const parsed = (argv: string[]) => {
  const options = parseOptions(argv);
  if (options === "help") throw new Error("expected options, got help");
  return options;
};

describe("parseOptions", () => {
  test("the defaults, and --quick's", () => {
    expect(parsed(["--seed", "1"])).toMatchObject({
      quick: false,
      seed: 1,
      faultMs: 72_000,
      subscribers: 12,
      writers: 6,
      servers: 3,
    });
    expect(parsed(["--quick", "--seed", "1"])).toMatchObject({
      quick: true,
      faultMs: 20_000,
      subscribers: 8,
      writers: 4,
    });
  });

  test("a value inline or as the next argument; the separator is skipped", () => {
    const options = parsed(["--", "--seed=7", "--duration", "9", "--servers=2", "--quick"]);
    expect(options).toMatchObject({ seed: 7, faultMs: 9_000, servers: 2, quick: true });
    expect(options.replay).toBe("bun run chaos -- --quick --seed 7 --duration 9 --servers 2");
  });

  test("help, long or short", () => {
    expect(parseOptions(["--help"])).toBe("help");
    expect(parseOptions(["-h"])).toBe("help");
  });

  // The hand-written parser split on the first two `=` and took `--seed=1=2` as seed 1.
  test.each([
    [["--seed=1=2"], '--seed needs a whole number, got "1=2"'],
    [["--seed"], "--seed needs a whole number, got nothing"],
    [["--seed", "--quick"], '--seed needs a whole number, got "--quick"'],
    [["--writers=-1"], '--writers needs a whole number, got "-1"'],
    [["--duration", "1.5"], '--duration needs a whole number, got "1.5"'],
    [["--seeds", "1"], "unknown option --seeds"],
    [["-q"], "unknown option -q"],
    [["quick"], "unexpected argument quick"],
    [["--quick=yes"], "--quick takes no value (got --quick=yes)"],
    [["--servers", "6"], "--servers must be within 2..5"],
    [["--seed", "4294967296"], "--seed must be within 0..4294967295"],
  ])("%j is refused: %s", (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(message);
  });
});
