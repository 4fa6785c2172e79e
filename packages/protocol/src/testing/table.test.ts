import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { applyEvent, initialState } from "../reducer.ts";
import { opArb } from "./arbitraries.ts";
import { AUTHOR, intentionId, SPACE, stamp } from "./fixtures.ts";
import { History } from "./history.ts";
import { SpaceTable } from "./table.ts";

describe("SpaceTable", () => {
  test("rows, tombstones and a head that every commit moves, by uneven steps", () => {
    const table = new SpaceTable();
    expect(table.head).toBe(stamp(1));
    const first = table.create(AUTHOR, "one");
    const second = table.create(AUTHOR, "two");
    expect([first.id, second.id]).toEqual([intentionId(0), intentionId(1)]);
    expect([first.createdAt, second.createdAt]).toEqual([stamp(3), stamp(4)]);
    expect(table.edit(first.id, "one, edited")).toBe(true);
    expect(table.remove(second.id)).toBe(true);
    expect(table.remove(second.id)).toBe(false);
    expect(table.edit(second.id, "gone")).toBe(false);
    expect(table.live().map((item) => item.content)).toEqual(["one, edited"]);
    expect(table.rows.get(second.id)).toMatchObject({ content: "", deletedAt: table.head });
    expect(table.snapshots.get(stamp(4))?.map((item) => item.content)).toEqual(["one", "two"]);
  });

  test("its delta, applied on any snapshot's cursor, gives the live rows: caught up", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), fc.nat(), (ops, pick) => {
        const table = new SpaceTable();
        for (const op of ops) table.apply(op);
        const cursors = [...table.snapshots.keys()];
        const cursor = cursors[pick % cursors.length] as string;
        const state = { ...initialState(SPACE, cursor), window: table.snapshots.get(cursor) ?? [] };
        const caughtUp = applyEvent(state, table.delta(cursor)).state;
        expect(caughtUp.window).toEqual(table.live());
        expect(table.isCaughtUp(caughtUp)).toBe(true);
        const reset = applyEvent(initialState(SPACE), table.reset()).state;
        expect(reset.window).toEqual(table.live());
      }),
    );
  });

  test("History is the table after each op", () => {
    const history = new History([
      { kind: "create", author: 0, content: "a" },
      { kind: "edit", target: 5, content: "b" },
      { kind: "delete", target: 0 },
      { kind: "delete", target: 0 },
    ]);
    expect([0, 1, 2, 3, 4].map((step) => history.stampAt(step))).toEqual(
      [0, 7, 14, 21, 28].map(stamp),
    );
    expect(history.liveAt(2).map((row) => row.content)).toEqual(["b"]);
    expect(history.liveAt(4)).toEqual([]);
    expect(history.changesSince(stamp(7), 4).map((row) => row.updatedAt)).toEqual([stamp(21)]);
  });
});
