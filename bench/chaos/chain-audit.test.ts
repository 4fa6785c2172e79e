import { describe, expect, test } from "bun:test";
import type { FrameRecord } from "@rhizome/client";
import {
  applyFrame,
  buildDelta,
  buildReset,
  type ChangeRecord,
  initialState,
  type SyncEvent,
  type SyncState,
} from "@rhizome/protocol";
import { change as record, SPACE, stamp } from "@rhizome/protocol/testing";
import { ChainAudit } from "./chain-audit.ts";

/** Intention `n` as of its version `updated`: each version reads differently. */
const change = (n: number, updated = n): ChangeRecord =>
  record(n, { content: `#${n}@${updated}`, updatedAt: stamp(updated) });

/** Feeds frames through the real reducer, as SyncClient does, and into the audit. */
function play(audit: ChainAudit, events: SyncEvent[], start: SyncState = initialState(SPACE)) {
  let state = start;
  for (const event of events) {
    const data = JSON.stringify(event);
    const next = applyFrame(state, data);
    state = next.state;
    audit.frame({ data, outcome: next.outcome, connection: 1 } satisfies FrameRecord);
  }
  return state;
}

describe("ChainAudit", () => {
  test("a chain of reset, deltas and heartbeats is clean", () => {
    const audit = new ChainAudit("s");
    audit.opened(undefined);
    play(audit, [
      buildReset(SPACE, stamp(1), []),
      buildDelta(SPACE, stamp(1), [change(2)]),
      buildDelta(SPACE, stamp(2), []),
      buildDelta(SPACE, stamp(2), [change(2, 3), change(4)]),
    ]);
    audit.opened(stamp(4));
    audit.finish();
    expect(audit.lost).toBe(0);
    expect(audit.duplicated).toBe(0);
    expect(audit.counts).toMatchObject({ resets: 1, deltas: 2, heartbeats: 1, changes: 3 });
  });

  test("a creation applied twice in one epoch is a duplicate; a reset starts over", () => {
    const audit = new ChainAudit("s");
    audit.opened(undefined);
    const state = play(audit, [
      buildReset(SPACE, stamp(1), []),
      buildDelta(SPACE, stamp(1), [change(2)]),
    ]);
    // A server that re-sends an old creation under a new `since`: the reducer applies it.
    play(
      audit,
      [buildDelta(SPACE, stamp(2), [{ ...change(2), createdAt: stamp(3), updatedAt: stamp(3) }])],
      state,
    );
    expect(audit.duplicated).toBe(1);
    const fresh = new ChainAudit("t");
    fresh.opened(undefined);
    const after = play(fresh, [
      buildReset(SPACE, stamp(1), []),
      buildDelta(SPACE, stamp(1), [change(2)]),
    ]);
    play(fresh, [buildReset(SPACE, stamp(2), []), buildDelta(SPACE, stamp(2), [change(3)])], after);
    expect(fresh.duplicated).toBe(0);
  });

  test("a gap must be followed by a reopen from the client's own cursor", () => {
    const audit = new ChainAudit("s");
    audit.opened(undefined);
    play(audit, [buildReset(SPACE, stamp(5), []), buildDelta(SPACE, stamp(7), [change(8)])]);
    expect(audit.counts.gaps).toBe(1);
    audit.opened(stamp(7));
    expect(audit.counts.unhandledGaps).toBe(1);
    expect(audit.counts.badResumes).toBe(1);
    expect(audit.lost).toBe(2);
  });

  test("a gap never followed by a reopen is reported at the end", () => {
    const audit = new ChainAudit("s");
    audit.opened(undefined);
    play(audit, [buildReset(SPACE, stamp(5), []), buildDelta(SPACE, stamp(7), [change(8)])]);
    audit.finish();
    expect(audit.counts.unhandledGaps).toBe(1);
  });
});
