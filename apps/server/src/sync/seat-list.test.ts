import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { Seat } from "./seat.ts";
import { SeatList } from "./seat-list.ts";

const seat = (n: number): Seat => ({
  spaceId: `s${n}`,
  cursor: undefined,
  closed: false,
  page: undefined,
  channelHeartbeats: true,
  slot: undefined,
  deliver: () => "sent",
  close: () => {},
});

describe("SeatList", () => {
  test("any sequence of adds and deletes over two lists holds what a Set would", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("add", "delete"), fc.nat(1), fc.nat(15))),
        (ops) => {
          const seats = Array.from({ length: 16 }, (_, n) => seat(n));
          const lists = [new SeatList(), new SeatList()];
          const models = [new Set<Seat>(), new Set<Seat>()];
          for (const [op, which, n] of ops) {
            const target = seats[n] as Seat;
            // A seat is in one list at most, as in an audience.
            const other = 1 - which;
            if (op === "add" && !(models[other] as Set<Seat>).has(target)) {
              lists[which]?.add(target);
              models[which]?.add(target);
            } else if (op === "delete") {
              expect(lists[which]?.delete(target)).toBe(models[which]?.delete(target) as boolean);
            }
          }
          for (const [i, list] of lists.entries()) {
            const visited: Seat[] = [];
            list.forEach((s) => {
              visited.push(s);
            });
            expect(new Set(visited)).toEqual(models[i] as Set<Seat>);
            expect(visited).toHaveLength(list.size);
            for (const s of seats) expect(list.has(s)).toBe((models[i] as Set<Seat>).has(s));
          }
        },
      ),
    );
  });

  test("a visit may delete its seat or move it to another list: every seat is visited once", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("keep", "delete", "move"), { maxLength: 40 }),
        (fates) => {
          const seats = fates.map((_, n) => seat(n));
          const list = new SeatList();
          const elsewhere = new SeatList();
          for (const s of seats) list.add(s);
          const visited: Seat[] = [];
          list.forEach((s) => {
            visited.push(s);
            const fate = fates[seats.indexOf(s)];
            if (fate !== "keep") list.delete(s);
            if (fate === "move") elsewhere.add(s);
          });
          expect(new Set(visited).size).toBe(seats.length);
          expect(list.size).toBe(fates.filter((f) => f === "keep").length);
          expect(elsewhere.size).toBe(fates.filter((f) => f === "move").length);
        },
      ),
    );
  });

  test("drain empties the list and frees every seat for another", () => {
    const list = new SeatList();
    const [a, b] = [seat(1), seat(2)];
    list.add(a);
    list.add(b);
    expect(list.drain()).toEqual([a, b]);
    expect(list.size).toBe(0);
    expect([a.slot, b.slot]).toEqual([undefined, undefined]);
  });
});
