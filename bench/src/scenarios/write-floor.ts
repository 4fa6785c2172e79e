import { PeerProcess } from "../peers/launch.ts";
import { cpuMicros } from "../proc.ts";
import { createSpaces, type Stack } from "../stack.ts";
import type { WriteTarget } from "../writer.ts";
import type { WriteFigures } from "./writes.ts";

export type WriteFloorFigures = WriteFigures & {
  /** Ours at the same space count, same run: server CPU per accepted write, ours ÷ floor. */
  cpuRatio: number;
};

/**
 * The write floor: our post's one statement (apps/server/src/data/post-intention.ts) issued
 * by a bare Bun handler and postgres.js (peers/write-floor-server.ts), under the same writer
 * load as ours (writes.ts alternates the two). Its server CPU per write is what a post
 * costs at the least.
 */
export async function startWriteFloor(stack: Stack, spaceCount: number) {
  const all = await createSpaces(stack, spaceCount, "floor");
  const floor = await PeerProcess.start("floor", stack.databaseUrl);
  const target: WriteTarget = {
    kind: "ours",
    url: floor.url,
    token: stack.being.token,
    authorId: "",
  };
  return {
    target,
    cpu: () => cpuMicros(floor.pid),
    spaces: (count: number) => all.slice(0, count),
    stop: () => floor.stop(),
  };
}
