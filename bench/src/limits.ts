import { readFileSync } from "node:fs";

/** Lifts this process' soft open-files limit to its hard limit (every socket is a descriptor). */
export function raiseFdLimit(): number {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((row) => row.startsWith("Max open files"));
  const [soft, hard] = line?.match(/\d+|unlimited/g) ?? [];
  if (soft && hard && soft !== hard) {
    Bun.spawnSync(["prlimit", `--pid=${process.pid}`, `--nofile=${hard}:${hard}`]);
  }
  return Number(hard ?? soft ?? 0);
}
