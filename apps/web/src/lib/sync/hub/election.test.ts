import { describe, expect, test } from "bun:test";
import { electionStep, INITIAL_ELECTION } from "./election.ts";

describe("electionStep", () => {
  test("a candidate granted the lock holds the stream, once", () => {
    const granted = electionStep(INITIAL_ELECTION, { type: "granted" });
    expect(granted).toEqual({ state: { role: "holder" }, effects: [{ type: "hold" }] });
    expect(electionStep(granted.state, { type: "granted" }).effects).toEqual([]);
  });

  test("closing releases, whether holding or still waiting", () => {
    for (const state of [INITIAL_ELECTION, { role: "holder" } as const]) {
      expect(electionStep(state, { type: "close" })).toEqual({
        state: { role: "closed" },
        effects: [{ type: "release" }],
      });
    }
  });

  test("a lock granted after closing is given back at once, never held", () => {
    expect(electionStep({ role: "closed" }, { type: "granted" })).toEqual({
      state: { role: "closed" },
      effects: [{ type: "release" }],
    });
    expect(electionStep({ role: "closed" }, { type: "close" }).effects).toEqual([]);
  });
});
