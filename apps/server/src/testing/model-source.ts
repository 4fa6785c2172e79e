import {
  applyEvent,
  buildDelta,
  type ChangeRecord,
  type Cursor,
  type Intention,
  type SyncState,
} from "@rhizome/protocol";
import type { ChangeSource } from "../sync/source.ts";

/** Stamps that order like the space clock: microseconds after a fixed origin. */
export function stamp(n: number): Cursor {
  return `2025-01-01T00:00:00.${String(n).padStart(6, "0")}Z`;
}

/**
 * An in-memory space that behaves like the database (one row per intention, a head, reads
 * that see every commit before them), for model-based tests of the sync engine. `delay`
 * decides when each read runs, so that a test can interleave reads with writes.
 */
export class ModelSource implements ChangeSource {
  readonly rows = new Map<string, ChangeRecord>();
  clock = 1;
  head: Cursor = stamp(1);
  reads = 0;
  /** Which change reads fail, as during a database outage. */
  failWhen: (read: { since: Cursor; limit: number }) => boolean = () => false;
  /** The live intentions after each change, by its stamp: what a client at that cursor holds. */
  readonly snapshots = new Map<Cursor, Intention[]>([[stamp(1), []]]);

  constructor(
    readonly spaceId: string,
    private readonly delay: <T>(read: () => T) => Promise<T> = async (read) => read(),
  ) {}

  create(authorId: string, content: string): ChangeRecord {
    const at = this.#tick();
    const row: ChangeRecord = {
      id: `10000000-0000-4000-8000-${String(this.rows.size).padStart(12, "0")}`,
      spaceId: this.spaceId,
      authorId,
      content,
      createdAt: at,
      updatedAt: at,
      deletedAt: null,
    };
    this.rows.set(row.id, row);
    this.#snapshot();
    return row;
  }

  edit(id: string, content: string): boolean {
    const row = this.rows.get(id);
    if (!row || row.deletedAt) return false;
    this.rows.set(id, { ...row, content, updatedAt: this.#tick() });
    this.#snapshot();
    return true;
  }

  remove(id: string): boolean {
    const row = this.rows.get(id);
    if (!row || row.deletedAt) return false;
    const at = this.#tick();
    this.rows.set(id, { ...row, content: "", updatedAt: at, deletedAt: at });
    this.#snapshot();
    return true;
  }

  live(): Intention[] {
    return [...this.rows.values()]
      .filter((row) => row.deletedAt === null)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1))
      .map(({ deletedAt: _, ...intention }) => intention);
  }

  /** Every change after `since`, in commit order, read at once (for assertions). */
  changesAfter(since: Cursor): ChangeRecord[] {
    return [...this.rows.values()]
      .filter((row) => row.updatedAt > since)
      .sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : 1));
  }

  /**
   * Whether a reader has everything: a resume from its cursor would leave its window as it
   * is. (It may still carry deletions of rows the reader never had: ones created after the
   * frame that moved its cursor and deleted since, omitted from that frame.)
   */
  isCaughtUp(state: SyncState): boolean {
    if (!state.cursor) return false;
    const resume = buildDelta(this.spaceId, state.cursor, this.changesAfter(state.cursor));
    const after = applyEvent(state, resume);
    return after.outcome.kind === "applied" && Bun.deepEquals(after.state.window, state.window);
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

  #snapshot(): void {
    this.snapshots.set(this.head, this.live());
  }

  #tick(): Cursor {
    this.clock += 1 + Math.floor(this.clock % 3);
    this.head = stamp(this.clock);
    return this.head;
  }
}
