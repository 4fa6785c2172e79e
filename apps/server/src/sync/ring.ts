import { type ChangeRecord, type Cursor, countChangedSince } from "@rhizome/protocol";

/**
 * The recent changes of one space, in commit order. It holds every change stamped in
 * (floor, newest], so a resume from any cursor in that range needs no database query.
 */
export class ChangeRing {
  #records: ChangeRecord[] = [];
  #floor: Cursor;

  constructor(
    private readonly capacity: number,
    floor: Cursor,
  ) {
    this.#floor = floor;
  }

  get floor(): Cursor {
    return this.#floor;
  }

  get size(): number {
    return this.#records.length;
  }

  /** Starts over from a complete read: every change after `floor`. */
  reset(floor: Cursor, records: readonly ChangeRecord[]): void {
    this.#floor = floor;
    this.#records = [];
    this.append(records);
  }

  /** Appends the rows of a flush (already in commit order, all newer than what is held). */
  append(records: readonly ChangeRecord[]): void {
    this.#records.push(...records);
    const excess = this.#records.length - this.capacity;
    if (excess > 0) {
      const dropped = this.#records.splice(0, excess);
      this.#floor = (dropped.at(-1) as ChangeRecord).updatedAt;
    }
  }

  /** True when every change after `since` up to `upTo` is held here. */
  covers(since: Cursor, upTo: Cursor): boolean {
    return since >= this.#floor && since <= upTo;
  }

  /** Changes stamped after `since`, in commit order. */
  after(since: Cursor): ChangeRecord[] {
    let low = 0;
    let high = this.#records.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.#records[mid] as ChangeRecord).updatedAt <= since) low = mid + 1;
      else high = mid;
    }
    return this.#records.slice(low);
  }

  countAfter(since: Cursor): number {
    return countChangedSince(since, this.after(since));
  }
}
