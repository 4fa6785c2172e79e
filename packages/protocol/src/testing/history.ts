import type { ChangeRecord } from "../classify.ts";
import type { Cursor } from "../cursor.ts";
import { stamp } from "./fixtures.ts";
import { changesAfter, liveRows, type Op, SpaceTable } from "./table.ts";

/** Seven microseconds a commit, from the origin at 0. */
const HISTORY_CLOCK = { start: 0, advance: (clock: number) => clock + 7 };

/**
 * A space's table after each of `ops`, one commit per op: lets a test ask what the server
 * would have answered at any step, for any cursor.
 */
export class History {
  readonly origin: Cursor;
  readonly table: SpaceTable;
  readonly snapshots: ReadonlyMap<string, ChangeRecord>[];
  readonly #heads: Cursor[];

  constructor(readonly ops: readonly Op[]) {
    this.table = new SpaceTable(undefined, HISTORY_CLOCK);
    this.origin = this.table.origin;
    this.snapshots = [new Map(this.table.rows)];
    this.#heads = [this.table.head];
    for (const op of ops) {
      this.table.apply(op);
      this.snapshots.push(new Map(this.table.rows));
      this.#heads.push(this.table.head);
    }
  }

  /** Stamp of the state after `step` ops (step 0 is the origin). */
  stampAt(step: number): Cursor {
    return this.#heads[step] ?? stamp(HISTORY_CLOCK.start + step * 7);
  }

  /** What the server's catch-up query returns at `step` for `since`: rows changed after it. */
  changesSince(since: Cursor, step: number): ChangeRecord[] {
    return changesAfter(this.snapshots[step] ?? new Map(), since);
  }

  liveAt(step: number): ChangeRecord[] {
    return liveRows(this.snapshots[step] ?? new Map());
  }
}
