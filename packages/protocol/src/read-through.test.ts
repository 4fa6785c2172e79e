import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { maxCursor } from "./cursor.ts";
import { applyEvent, initialState, type SyncState } from "./reducer.ts";
import { opArb } from "./testing/arbitraries.ts";
import { SpaceTable } from "./testing/index.ts";

/**
 * The read-through cursor (protocol 2, docs/PROTOCOL.md "Classification"): whatever the
 * history and wherever a reader resumes, no resume returns a change at or behind what it
 * had read, a deletion names only an intention it held, and a reader holding everything
 * sits at the head.
 */
describe("read-through cursor", () => {
  test("resumes at any cut never re-read a change, never delete the unknown, end at the head", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(opArb, fc.boolean()), { minLength: 1, maxLength: 60 }),
        (steps) => {
          const table = new SpaceTable();
          let state: SyncState = initialState(table.spaceId, table.origin);
          /** Every change stamp the reader has read through, carried or omitted. */
          let readThrough = table.origin;
          for (const [op, resumeNow] of steps) {
            table.apply(op);
            if (!resumeNow) continue;
            const delta = table.delta(state.cursor as string);
            const held = new Set(state.window.map((item) => item.id));
            for (const item of [...delta.created, ...delta.updated]) {
              expect(item.updatedAt > readThrough).toBe(true);
            }
            for (const id of delta.deleted) expect(held.has(id)).toBe(true);
            const next = applyEvent(state, delta);
            expect(next.outcome.kind).toBe("applied");
            state = next.state;
            readThrough = state.cursor as string;
          }
          const last = applyEvent(state, table.delta(state.cursor as string));
          expect(last.outcome.kind).toBe("applied");
          // Holding everything means standing at the head, omitted changes included. (The
          // model's head also moves on no-op writes, which a server rolls back: compare with
          // the last change's stamp.)
          const lastChange = [...table.rows.values()].reduce(
            (latest, row) => maxCursor(latest, row.updatedAt),
            table.origin,
          );
          expect(last.state.cursor).toBe(lastChange);
          expect(last.state.window.map((item) => item.id)).toEqual(table.live().map((i) => i.id));
          const again = table.delta(last.state.cursor as string);
          expect(again.since).toBe(again.timestamp);
        },
      ),
      { numRuns: 300 },
    );
  });
});
