import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { groupIntentions } from "./group.ts";
import type { Intention } from "./schemas/intention.ts";
import { AUTHORS, intention, stamp } from "./testing/index.ts";

const MINUTE = 60_000_000;
function at(n: number, author: number, micros: number): Intention {
  const when = stamp(micros);
  return intention(n, { authorId: AUTHORS[author] as string, createdAt: when, updatedAt: when });
}

describe("groupIntentions", () => {
  test("one author within five minutes is one group; a pause or another author splits", () => {
    const items = [
      at(0, 0, 0),
      at(1, 0, 4 * MINUTE),
      at(2, 0, 9 * MINUTE), // 5 minutes after the previous one: still grouped
      at(3, 0, 14 * MINUTE + 1), // just over 5 minutes
      at(4, 1, 15 * MINUTE),
      at(5, 0, 16 * MINUTE),
    ];
    const groups = groupIntentions(items);
    expect(groups.map((g) => g.intentions.map((i) => i.content))).toEqual([
      ["#0", "#1", "#2"],
      ["#3"],
      ["#4"],
      ["#5"],
    ]);
    const [a, b] = AUTHORS as [string, string];
    expect(groups.map((g) => g.authorId)).toEqual([a, a, b, a]);
  });

  test("groups partition the input in order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(1), fc.nat(10 * MINUTE)), { maxLength: 40 }),
        (specs) => {
          let clock = 0;
          const items = specs.map(([author, gap], n) => {
            clock += gap + 1;
            return at(n, author, clock);
          });
          const groups = groupIntentions(items);
          expect(groups.flatMap((g) => g.intentions)).toEqual(items);
          for (const group of groups) {
            expect(group.intentions.length).toBeGreaterThan(0);
            expect(group.intentions.every((i) => i.authorId === group.authorId)).toBe(true);
          }
        },
      ),
    );
  });
});
