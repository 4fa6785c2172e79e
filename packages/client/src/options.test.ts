import { expect, test } from "bun:test";
import { definedOnly } from "./options.ts";

test("definedOnly leaves out undefined fields and keeps every other value", () => {
  const defaults = { a: 1, b: 2, c: 3, d: 4 };
  const given: { a?: number; b: number | null; c: number; e: boolean } = {
    a: undefined,
    b: null,
    c: 0,
    e: false,
  };
  expect({ ...defaults, ...definedOnly(given) }).toEqual({ a: 1, b: null, c: 0, d: 4, e: false });
});
