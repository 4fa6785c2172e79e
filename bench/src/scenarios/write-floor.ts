import { PeerProcess } from "../peers/launch.ts";
import { cpuMicros } from "../proc.ts";
import { createSpaces, type Stack } from "../stack.ts";
import { measureWrites, type WriteFigures, type WriteSizes } from "./writes.ts";

export type WriteFloorFigures = WriteFigures & {
  /** Ours at the same space count, same run: server CPU per accepted write, ours ÷ floor. */
  cpuRatio: number | undefined;
};

/**
 * The write floor: our post's one statement (apps/server/src/data/post-intention.ts) issued
 * by a bare Bun handler and postgres.js (peers/write-floor-server.ts), under the same writer
 * load as the write scenario. Its server CPU per write is what a post costs at the least.
 */
export async function runWriteFloor(
  stack: Stack,
  sizes: WriteSizes,
  ours: WriteFigures[],
  log: (line: string) => void,
): Promise<WriteFloorFigures[]> {
  const all = await createSpaces(stack, Math.max(...sizes.spaces), "floor");
  const floor = await PeerProcess.start("floor", stack.databaseUrl);
  const target = { kind: "ours" as const, url: floor.url, token: stack.being.token, authorId: "" };
  const figures: WriteFloorFigures[] = [];
  try {
    for (const count of sizes.spaces) {
      const row = await measureWrites(
        target,
        () => cpuMicros(floor.pid),
        all.slice(0, count),
        sizes,
      );
      const mine = ours.find((o) => o.spaces === count);
      const cpuRatio = mine
        ? mine.serverCpuMicrosPerWrite / row.serverCpuMicrosPerWrite
        : undefined;
      figures.push({ ...row, cpuRatio });
      log(
        `  floor, ${count} space(s): ${row.perSecond}/s accepted (${row.failed} failed), ` +
          `${Math.round(row.serverCpuMicrosPerWrite)} µs server CPU/write; ours ÷ floor ` +
          `${cpuRatio === undefined ? "–" : cpuRatio.toFixed(2)}`,
      );
    }
  } finally {
    await floor.stop();
  }
  return figures;
}
