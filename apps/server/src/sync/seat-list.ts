import type { Seat } from "./seat.ts";

/**
 * A group of an audience's seats, in an array: a JSC Set costs ~80 B per entry, an array
 * slot 8, and a process holds tens of thousands of followed positions. Each seat keeps its
 * slot, so removal is O(1): the last seat moves into the gap. A seat is in one list at most.
 */
export class SeatList {
  readonly #seats: Seat[] = [];

  get size(): number {
    return this.#seats.length;
  }

  has(seat: Seat): boolean {
    return seat.slot !== undefined && this.#seats[seat.slot] === seat;
  }

  add(seat: Seat): void {
    if (this.has(seat)) return;
    seat.slot = this.#seats.length;
    this.#seats.push(seat);
  }

  delete(seat: Seat): boolean {
    if (!this.has(seat)) return false;
    const slot = seat.slot as number;
    const last = this.#seats.pop() as Seat;
    if (last !== seat) {
      this.#seats[slot] = last;
      last.slot = slot;
    }
    seat.slot = undefined;
    return true;
  }

  /**
   * Visits every seat once, last added first, so that `visit` may delete the seat it is
   * given (only that one, or seats of other lists) or move it to another list.
   */
  forEach(visit: (seat: Seat) => void): void {
    for (let i = this.#seats.length - 1; i >= 0; i--) {
      const seat = this.#seats[i];
      if (seat) visit(seat);
    }
  }

  /** Empties the list, handing back what it held. */
  drain(): Seat[] {
    const seats = this.#seats.splice(0);
    for (const seat of seats) seat.slot = undefined;
    return seats;
  }
}
