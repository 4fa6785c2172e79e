import type { CapacityFigures } from "./scenarios/capacity.ts";
import type { CatchupFigures } from "./scenarios/catchup.ts";
import type { TierFigures } from "./scenarios/fanout.ts";
import type { MultiFigures } from "./scenarios/multi.ts";
import type { StormFigures } from "./scenarios/storm.ts";
import type { WriteFigures } from "./scenarios/writes.ts";

/** Everything one run measured: what latest.json holds besides the targets. */
export type Results = {
  meta: Record<string, unknown>;
  fanout: TierFigures[];
  capacity: CapacityFigures | undefined;
  catchup: CatchupFigures[];
  storm: StormFigures[];
  writes: WriteFigures[];
  multi: MultiFigures | undefined;
};
