import { readFileSync } from "node:fs";

/**
 * Every SSE stream holds a socket: lift the soft file-descriptor limit to the hard one
 * where the process may (Linux `prlimit`); elsewhere, or when refused, keep what we have.
 */
export function raiseFileDescriptorLimit(): void {
  try {
    const [soft, hard] = openFileLimits();
    if (!soft || !hard || soft === hard) return;
    Bun.spawnSync(["prlimit", `--pid=${process.pid}`, `--nofile=${hard}:${hard}`]);
  } catch {
    // Not Linux, or prlimit missing: the default limit stands.
  }
}

/** The soft limit on open files of this process, when the system says (Linux). */
export function fileDescriptorLimit(): number | undefined {
  try {
    const soft = Number(openFileLimits()[0]);
    return Number.isFinite(soft) && soft > 0 ? soft : undefined;
  } catch {
    return undefined;
  }
}

function openFileLimits(): string[] {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((row) => row.startsWith("Max open files"));
  return line?.match(/\d+|unlimited/g) ?? [];
}
