import { readdirSync, readFileSync } from "node:fs";

/** Kernel clock ticks per second (`getconf CLK_TCK`, 100 on Linux x86-64). */
const CLK_TCK = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim()) || 100;

/** Now on a wall clock shared by every process of the run (sub-millisecond, cross-process). */
export const wallMs = (): number => performance.timeOrigin + performance.now();

/** A process and all its descendants (a server may run workers: SERVER_WORKERS). */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    const parent = tree[i] as number;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${parent}/task`);
    } catch {
      continue; // gone meanwhile
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${parent}/task/${task}/children`, "utf8").trim();
        if (children) tree.push(...children.split(/\s+/).map(Number));
      } catch {
        // The thread ended meanwhile.
      }
    }
  }
  return tree;
}

/** CPU time of a process (all threads, user + system) in microseconds, from /proc/<pid>/stat. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / CLK_TCK;
}

/** User and system CPU time of a process and its workers, in microseconds. */
export function cpuSplit(pid: number): { user: number; system: number } {
  const tick = 1_000_000 / CLK_TCK;
  let user = 0;
  let system = 0;
  for (const member of processTree(pid)) {
    const stat = readFileSync(`/proc/${member}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    user += Number(fields[11]) * tick;
    system += Number(fields[12]) * tick;
  }
  return { user, system };
}

/**
 * Waits until a server (with its workers) has gone quiet: under `share` of a core over a
 * window, or `maxMs` at most. A phase that starts while the server still works off the
 * connect storm (first frames, their garbage) measures the storm's tail, not the phase.
 * Returns the milliseconds waited.
 */
export async function untilQuiet(
  pid: number,
  { share = 0.1, windowMs = 250, maxMs = 5000 } = {},
): Promise<number> {
  const started = performance.now();
  const used = () => {
    const { user, system } = cpuSplit(pid);
    return user + system;
  };
  for (;;) {
    const before = used();
    await Bun.sleep(windowMs);
    const waited = performance.now() - started;
    if (used() - before < share * windowMs * 1000 || waited >= maxMs) return Math.round(waited);
  }
}

/** CPU time of a process and its child processes' threads, summed over `pids`. */
export function cpuMicrosOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + cpuMicros(pid), 0);
}

/** CPU time (µs) of each of `pids` still running: one that ended meanwhile is left out. */
export function cpuMicrosByPid(pids: readonly number[]): Map<number, number> {
  const readings = new Map<number, number>();
  for (const pid of pids) {
    try {
      readings.set(pid, cpuMicros(pid));
    } catch {
      // Ended meanwhile (a Postgres backend or autovacuum worker comes and goes).
    }
  }
  return readings;
}

/** CPU used between two readings by the processes read both times. */
export function cpuUsedBetween(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
): number {
  let used = 0;
  for (const [pid, micros] of after) {
    const start = before.get(pid);
    if (start !== undefined) used += micros - start;
  }
  return used;
}

/** Resident set size in bytes of a process and its workers, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  return processTree(pid).reduce((sum, member) => {
    const status = readFileSync(`/proc/${member}/status`, "utf8");
    return sum + Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) * 1024;
  }, 0);
}

/**
 * RSS once it has settled: read every 250 ms until it has not fallen by more than 1 % of
 * the lowest reading for `quietMs` (or `maxMs` passed), then the current reading. A process
 * returns freed memory lazily: after a burst, an idle Bun server's RSS drops ~10 s later
 * (its collector's full collection on a timer), so the quiet period is longer than that.
 */
export async function settledRssBytes(
  pid: number,
  quietMs = 12_000,
  maxMs = 30_000,
): Promise<number> {
  const started = performance.now();
  let lowest = rssBytes(pid);
  let lowestAt = started;
  for (;;) {
    await Bun.sleep(250);
    const now = performance.now();
    const current = rssBytes(pid);
    if (current < lowest * 0.99) lowestAt = now;
    lowest = Math.min(lowest, current);
    if (now - lowestAt >= quietMs || now - started >= maxMs) return current;
  }
}

/** Open file descriptors of a process. */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** The process' `Max open files` soft limit. */
export function fdLimit(pid: number): number {
  const limits = readFileSync(`/proc/${pid}/limits`, "utf8");
  return Number(limits.match(/Max open files\s+(\d+)/)?.[1] ?? 0);
}

export type SocketBytes = { sockets: number; bytesAcked: number; segsOut: number };

/**
 * TCP payload bytes the server sent and the peer acknowledged, summed over the established
 * sockets whose local port is `port` (`ss -tin`): HTTP/WS framing included, IP/TCP headers
 * not. Deltas are taken over sockets that live through a whole phase.
 */
export function serverSocketBytes(port: number): SocketBytes {
  const out = Bun.spawnSync(["ss", "-tinH", "state", "established", `( sport = :${port} )`], {
    stdout: "pipe",
  }).stdout.toString();
  let sockets = 0;
  let bytesAcked = 0;
  let segsOut = 0;
  for (const match of out.matchAll(/bytes_acked:(\d+)|segs_out:(\d+)/g)) {
    if (match[1] !== undefined) {
      bytesAcked += Number(match[1]);
      sockets++;
    } else segsOut += Number(match[2]);
  }
  return { sockets, bytesAcked, segsOut };
}
