import type { CapacityFigures } from "./scenarios/capacity.ts";
import type { CatchupFigures } from "./scenarios/catchup.ts";
import type { ConnectStormFigures } from "./scenarios/connect-storm.ts";
import type { ConversationFigures } from "./scenarios/conversation.ts";
import type { TierFigures } from "./scenarios/fanout.ts";
import type { MultiFigures } from "./scenarios/multi.ts";
import type { ReloadFigures } from "./scenarios/reload.ts";
import type { StormFigures } from "./scenarios/storm.ts";
import type { CeilingFigures } from "./scenarios/write-ceiling.ts";
import type { WriteFloorFigures } from "./scenarios/write-floor.ts";
import type { WriteFigures } from "./scenarios/writes.ts";

/** Everything one run measured: what latest.json holds besides the targets. */
export type Results = {
  meta: Record<string, unknown>;
  fanout: TierFigures[];
  capacity: CapacityFigures | undefined;
  catchup: CatchupFigures[];
  storm: StormFigures[];
  /** Socket.IO's connect storm of the same size, beside our cold storm. */
  connectStorm: ConnectStormFigures[];
  conversation: ConversationFigures[];
  reload: ReloadFigures | undefined;
  writes: WriteFigures[];
  /** The write floor: our post's statement behind a bare handler, same load (write-floor.ts). */
  writeFloor?: WriteFloorFigures[];
  /** Posts/s across 100 spaces, 256 writers, SERVER_WORKERS=2, and what saturates first. */
  writeCeiling?: CeilingFigures;
  multi: MultiFigures | undefined;
};

/** A run before any scenario has measured: `meta` and an empty slot for each scenario. */
export function emptyResults(meta: Record<string, unknown>): Results {
  return {
    meta,
    fanout: [],
    capacity: undefined,
    catchup: [],
    storm: [],
    connectStorm: [],
    conversation: [],
    reload: undefined,
    writes: [],
    multi: undefined,
  };
}
