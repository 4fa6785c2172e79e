import { buildDelta, buildReset, type ChangeRecord } from "../classify.ts";
import type { Cursor } from "../cursor.ts";
import { compareChanges, compareIntentions } from "../order.ts";
import { applyEvent, type SyncState } from "../reducer.ts";
import type { Intention } from "../schemas/intention.ts";
import type { DeltaEvent, ResetEvent } from "../schemas/sync-event.ts";
import { AUTHORS, intentionId, SPACE, stamp, withoutTombstone } from "./fixtures.ts";

/** One write to a space, as property tests generate them (targets wrap around the rows). */
export type Op =
  | { kind: "create"; author: number; content: string }
  | { kind: "edit"; target: number; content: string }
  | { kind: "delete"; target: number };

export type TableClock = {
  /** The clock at the space's creation: `stamp(start)` is the first head. */
  start: number;
  /** The clock of the next commit after `clock`; anything increasing. */
  advance: (clock: number) => number;
};

/** Uneven steps of 1 to 3 µs, so that no test may assume consecutive stamps. */
export const UNEVEN_CLOCK: TableClock = { start: 1, advance: (clock) => clock + 1 + (clock % 3) };

/**
 * The intentions table of one space, in memory: one row per intention (a deletion leaves a
 * tombstone), a head that every commit moves, and the classification of `classify.ts` over
 * it. The one model that the reducer's properties, the sync engine's model-based tests and
 * the clients' tests check against: a change of the rules changes it here, once.
 */
export class SpaceTable {
  readonly rows = new Map<string, ChangeRecord>();
  clock: number;
  head: Cursor;
  /** The space's first head: the cursor of a client that saw it empty. */
  readonly origin: Cursor;
  /** The live intentions after each commit, by its stamp: what a client at that cursor holds. */
  readonly snapshots = new Map<Cursor, Intention[]>();
  readonly #advance: (clock: number) => number;

  constructor(
    readonly spaceId: string = SPACE,
    clock: TableClock = UNEVEN_CLOCK,
  ) {
    this.clock = clock.start;
    this.#advance = clock.advance;
    this.head = stamp(this.clock);
    this.origin = this.head;
    this.snapshots.set(this.head, []);
  }

  create(authorId: string, content: string): ChangeRecord {
    return this.#create(this.#tick(), authorId, content);
  }

  edit(id: string, content: string): boolean {
    const row = this.#live(id);
    if (!row) return false;
    this.#write({ ...row, content, updatedAt: this.#tick() });
    return true;
  }

  remove(id: string): boolean {
    const row = this.#live(id);
    if (!row) return false;
    const at = this.#tick();
    this.#write({ ...row, content: "", updatedAt: at, deletedAt: at });
    return true;
  }

  /** Applies an op in one commit: the head moves even when its target is gone (a no-op). */
  apply(op: Op): void {
    const at = this.#tick();
    if (op.kind === "create") {
      this.#create(at, AUTHORS[op.author % AUTHORS.length] as string, op.content);
      return;
    }
    const row =
      this.rows.size > 0 ? this.#live(intentionId(op.target % this.rows.size)) : undefined;
    if (row) {
      this.#write(
        op.kind === "edit"
          ? { ...row, content: op.content, updatedAt: at }
          : { ...row, content: "", updatedAt: at, deletedAt: at },
      );
    } else {
      this.snapshots.set(at, this.live());
    }
  }

  /** Live intentions, oldest first. */
  live(): Intention[] {
    return liveRows(this.rows).map(withoutTombstone);
  }

  /** What the catch-up query reads: every row changed after `since`, in commit order. */
  changesAfter(since: Cursor): ChangeRecord[] {
    return changesAfter(this.rows, since);
  }

  /** The delta a client at `since` is owed now. */
  delta(since: Cursor): DeltaEvent {
    return buildDelta(this.spaceId, since, this.changesAfter(since));
  }

  /** The reset a client without a cursor gets: the latest `limit` live intentions and the head. */
  reset(limit = Number.POSITIVE_INFINITY): ResetEvent {
    const live = this.live();
    return buildReset(this.spaceId, this.head, live.slice(Math.max(0, live.length - limit)));
  }

  /**
   * Whether a reader has everything: a resume from its cursor would leave its window as it
   * is. (It may still carry deletions of rows the reader never had: ones created after the
   * frame that moved its cursor and deleted since, omitted from that frame.)
   */
  isCaughtUp(state: SyncState): boolean {
    if (!state.cursor) return false;
    const after = applyEvent(state, this.delta(state.cursor));
    return after.outcome.kind === "applied" && sameIntentions(after.state.window, state.window);
  }

  #create(at: Cursor, authorId: string, content: string): ChangeRecord {
    const row: ChangeRecord = {
      id: intentionId(this.rows.size),
      spaceId: this.spaceId,
      authorId,
      content,
      createdAt: at,
      updatedAt: at,
      deletedAt: null,
    };
    this.#write(row);
    return row;
  }

  #live(id: string): ChangeRecord | undefined {
    const row = this.rows.get(id);
    return row && row.deletedAt === null ? row : undefined;
  }

  #write(row: ChangeRecord): void {
    this.rows.set(row.id, row);
    this.snapshots.set(this.head, this.live());
  }

  #tick(): Cursor {
    this.clock = this.#advance(this.clock);
    this.head = stamp(this.clock);
    return this.head;
  }
}

/** Rows changed after `since`, in commit order. */
export function changesAfter(
  rows: ReadonlyMap<string, ChangeRecord>,
  since: Cursor,
): ChangeRecord[] {
  return [...rows.values()].filter((row) => row.updatedAt > since).sort(compareChanges);
}

/** Rows not deleted, oldest first. */
export function liveRows(rows: ReadonlyMap<string, ChangeRecord>): ChangeRecord[] {
  return [...rows.values()].filter((row) => row.deletedAt === null).sort(compareIntentions);
}

function sameIntentions(a: readonly Intention[], b: readonly Intention[]): boolean {
  const fields = ["id", "spaceId", "authorId", "content", "createdAt", "updatedAt"] as const;
  return a.length === b.length && a.every((x, i) => fields.every((key) => x[key] === b[i]?.[key]));
}
