import { readFileSync } from "node:fs";

/**
 * Every SSE stream holds a socket: lift the soft file-descriptor limit to the hard one
 * where the process may (Linux `prlimit`); elsewhere, or when refused, keep what we have.
 */
export function raiseFileDescriptorLimit(): void {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((row) => row.startsWith("Max open files"));
    const [soft, hard] = line?.match(/\d+|unlimited/g) ?? [];
    if (!soft || !hard || soft === hard) return;
    Bun.spawnSync(["prlimit", `--pid=${process.pid}`, `--nofile=${hard}:${hard}`]);
  } catch {
    // Not Linux, or prlimit missing: the default limit stands.
  }
}
