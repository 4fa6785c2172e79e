import type { ChangeRecord, Cursor, Intention, SyncState } from "@rhizome/protocol";
import { SpaceTable } from "@rhizome/protocol/testing";
import type { ChangeSource } from "../sync/source.ts";

/**
 * The protocol's one table model (`SpaceTable`) as the sync engine's `ChangeSource`, for
 * model-based tests: reads that see every commit before them, a read counter, failures on
 * demand, and `delay` deciding when each read runs, so that a test can interleave reads with
 * writes. The rows and their classification live in the table, once.
 */
export class ModelSource implements ChangeSource {
  readonly table: SpaceTable;
  reads = 0;
  /** Which change reads fail, as during a database outage. */
  failWhen: (read: { since: Cursor; limit: number }) => boolean = () => false;

  constructor(
    readonly spaceId: string,
    private readonly delay: <T>(read: () => T) => Promise<T> = async (read) => read(),
  ) {
    this.table = new SpaceTable(spaceId);
  }

  get head(): Cursor {
    return this.table.head;
  }

  get clock(): number {
    return this.table.clock;
  }

  get rows(): ReadonlyMap<string, ChangeRecord> {
    return this.table.rows;
  }

  /** The live intentions after each change, by its stamp: what a client at that cursor holds. */
  get snapshots(): ReadonlyMap<Cursor, Intention[]> {
    return this.table.snapshots;
  }

  create(authorId: string, content: string): ChangeRecord {
    return this.table.create(authorId, content);
  }

  edit(id: string, content: string): boolean {
    return this.table.edit(id, content);
  }

  remove(id: string): boolean {
    return this.table.remove(id);
  }

  live(): Intention[] {
    return this.table.live();
  }

  /** Every change after `since`, in commit order, read at once (for assertions). */
  changesAfter(since: Cursor): ChangeRecord[] {
    return this.table.changesAfter(since);
  }

  isCaughtUp(state: SyncState): boolean {
    return this.table.isCaughtUp(state);
  }

  changesSince(spaceId: string, since: Cursor, limit: number) {
    return this.delay(() => {
      this.reads++;
      if (this.failWhen({ since, limit })) throw new Error("database unavailable");
      if (spaceId !== this.spaceId) return undefined;
      return { head: this.head, changes: this.changesAfter(since).slice(0, limit) };
    });
  }

  latestPage(spaceId: string, limit: number) {
    return this.delay(() => {
      this.reads++;
      if (spaceId !== this.spaceId) return undefined;
      return { head: this.head, page: this.live().slice(-limit) };
    });
  }

  heads(spaceIds: string[]) {
    return this.delay(
      () => new Map(spaceIds.includes(this.spaceId) ? [[this.spaceId, this.head]] : []),
    );
  }
}
