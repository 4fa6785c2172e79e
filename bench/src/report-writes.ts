import type { Results } from "./results.ts";

const table = (head: string[], rows: (string | number)[][]) =>
  [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");

/** The write floor and the write ceiling, for report.md's write section. */
export function writeFloorAndCeiling(results: Results): string {
  const parts: string[] = [];
  const floor = results.writeFloor ?? [];
  if (floor.length) {
    parts.push(
      "Write floor: our post's one statement behind a bare Bun handler and postgres.js, same load.",
      "",
      table(
        ["spaces", "floor accepted/s", "floor µs/write", "ours µs/write", "ours ÷ floor"],
        floor.map((f) => [
          f.spaces,
          f.perSecond,
          Math.round(f.serverCpuMicrosPerWrite),
          Math.round(
            results.writes.find((w) => w.spaces === f.spaces)?.serverCpuMicrosPerWrite ??
              Number.NaN,
          ),
          f.cpuRatio.toFixed(2),
        ]),
      ),
    );
  }
  const c = results.writeCeiling;
  if (c) {
    const busy = c.coresBusy;
    const pct = (n: number) => `${Math.round((100 * n) / Math.max(1, c.waits.observations))}%`;
    parts.push(
      "",
      `Write ceiling: ${c.spaces} spaces, ${c.writers} writers (one being each), ` +
        `SERVER_WORKERS=${c.serverWorkers}.`,
      "",
      table(
        [
          "accepted/s",
          "p50 / p99 ms",
          "cores busy: server / postgres / load / machine",
          "CPU µs/write: server / postgres",
          "waits: cpu / client read / notify / space row / limit row / other",
          "saturates first",
        ],
        [
          [
            c.writes.perSecond,
            `${c.writes.latencyMs.p50} / ${c.writes.latencyMs.p99}`,
            `${busy.server.toFixed(2)} / ${busy.postgres.toFixed(2)} / ${busy.loadGenerator.toFixed(2)} / ${busy.machine.toFixed(2)} of ${c.cores}`,
            `${Math.round(c.cpuMicrosPerWrite.server)} / ${Math.round(c.cpuMicrosPerWrite.postgres)}`,
            [
              c.waits.byClass.cpu,
              c.waits.byClass.clientRead,
              c.waits.byClass.notifyLock,
              c.waits.byClass.spaceRowLock,
              c.waits.byClass.rateLimitRowLock,
              c.waits.byClass.other,
            ]
              .map(pct)
              .join(" / "),
            `${c.saturates} (${c.reason})`,
          ],
        ],
      ),
    );
  }
  return parts.join("\n");
}
