import { describe, expect, test } from "bun:test";
import { fileURLToPath } from "node:url";
import { findChromium } from "./chromium.ts";

const PREFLIGHT = fileURLToPath(new URL("./preflight.ts", import.meta.url));

/** The preflight in its own process, as the `test` script runs it. */
function runPreflight(env: Record<string, string | undefined>) {
  const run = Bun.spawnSync([process.execPath, PREFLIGHT], {
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  return {
    exitCode: run.exitCode,
    lines: `${run.stdout.toString()}${run.stderr.toString()}`.split("\n").filter(Boolean),
  };
}

describe("browser preflight", () => {
  test("CHROMIUM_PATH pointing nowhere: one line naming it and the fix, exit non-zero", () => {
    const { exitCode, lines } = runPreflight({ CHROMIUM_PATH: "/nonexistent/chromium" });
    expect(exitCode).not.toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("CHROMIUM_PATH=/nonexistent/chromium is not an executable file");
    expect(lines[0]).toContain("bun run setup:browser");
    expect(lines[0]).toContain("apt-get install -y chromium");
  });

  test("a CHROMIUM_PATH that points nowhere is an error, never a fallback", () => {
    const found = findChromium({ CHROMIUM_PATH: "/nonexistent/chromium", PATH: "/usr/bin:/bin" });
    expect(found.ok).toBe(false);
  });

  test("no Chromium anywhere: says how to install it or set CHROMIUM_PATH", () => {
    const found = findChromium({ PATH: "/nonexistent" });
    // Where Debian's Chromium is installed, /usr/bin/chromium is found whatever the PATH.
    if (found.ok) expect(found.path).toBe("/usr/bin/chromium");
    else {
      expect(found.message).toContain("no Chromium found");
      expect(found.message).toContain("apt-get install -y chromium");
      expect(found.message).toContain("CHROMIUM_PATH");
    }
  });

  test("CHROMIUM_PATH naming an executable is used as it is", () => {
    const found = findChromium({ CHROMIUM_PATH: process.execPath });
    expect(found).toEqual({ ok: true, path: process.execPath });
  });
});
