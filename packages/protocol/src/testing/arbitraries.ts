import fc from "fast-check";
import type { Op } from "./table.ts";

/**
 * Writes to a space, for property tests. Apart from `index.ts` so that a package without
 * fast-check can import the fixtures and the table model.
 */
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("create" as const),
      author: fc.nat(1),
      content: fc.string({ minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("edit" as const),
      target: fc.nat(40),
      content: fc.string({ minLength: 1, maxLength: 8 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), target: fc.nat(40) }) },
);
