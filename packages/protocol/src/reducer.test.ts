import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { buildDelta, buildReset } from "./classify.ts";
import { SYNC_EVENT_TYPE } from "./constants.ts";
import { applyEvent, applyFrame, initialState, mergePage, type SyncState } from "./reducer.ts";
import type { SyncEvent } from "./schemas/sync-event.ts";
import { opArb } from "./testing/arbitraries.ts";
import { History, SPACE, withoutTombstone } from "./testing/index.ts";

/** A history and increasing cut points: each pair of cuts is one delta the server could send. */
const historyWithCuts = fc.array(opArb, { minLength: 0, maxLength: 60 }).chain((ops) =>
  fc.record({
    history: fc.constant(new History(ops)),
    cuts: fc
      .uniqueArray(fc.integer({ min: 1, max: Math.max(ops.length, 1) }), { maxLength: 20 })
      .map((cuts) => [...cuts.filter((c) => c <= ops.length), ops.length].sort((a, b) => a - b)),
  }),
);

function deltasFor(history: History, cuts: number[]): SyncEvent[] {
  const events: SyncEvent[] = [];
  let since = history.origin;
  for (const step of cuts) {
    const event = buildDelta(SPACE, since, history.changesSince(since, step));
    events.push(event);
    since = event.timestamp;
  }
  return events;
}

function replay(state: SyncState, events: SyncEvent[]): SyncState {
  return events.reduce((current, event) => applyEvent(current, event).state, state);
}

describe("reducer properties", () => {
  test("1. any cut of any history into classified deltas converges to the live intentions", () => {
    fc.assert(
      fc.property(historyWithCuts, ({ history, cuts }) => {
        const final = replay(initialState(SPACE, history.origin), deltasFor(history, cuts));
        const live = history.liveAt(history.ops.length).map(withoutTombstone);
        expect(final.window).toEqual(live);
      }),
      { numRuns: 300 },
    );
  });

  test("2. applying a delta twice equals applying it once", () => {
    fc.assert(
      fc.property(historyWithCuts, fc.nat(), ({ history, cuts }, pick) => {
        const events = deltasFor(history, cuts);
        const index = pick % events.length;
        const before = replay(initialState(SPACE, history.origin), events.slice(0, index));
        const once = applyEvent(before, events[index]);
        const twice = applyEvent(once.state, events[index]);
        expect(twice.state).toBe(once.state);
        expect(twice.outcome.kind).toBe(
          events[index]?.since === events[index]?.timestamp ? "applied" : "duplicate",
        );
      }),
      { numRuns: 300 },
    );
  });

  test("3. a delta that does not chain from the cursor is a gap and changes nothing", () => {
    fc.assert(
      fc.property(historyWithCuts, fc.nat(), fc.nat(), ({ history, cuts }, a, b) => {
        const steps = history.ops.length;
        const at = a % (steps + 1);
        const state = replay(
          initialState(SPACE, history.origin),
          deltasFor(history, cuts.filter((c) => c <= at).concat(at)),
        );
        // A delta from any other point that reaches past the state's cursor.
        const from = history.stampAt(b % (steps + 1));
        const event = buildDelta(SPACE, from, history.changesSince(from, steps));
        fc.pre(from !== state.cursor && event.timestamp > (state.cursor as string));
        const result = applyEvent(state, event);
        expect(result.outcome).toEqual({ kind: "gap", expected: state.cursor, since: from });
        expect(result.state).toBe(state);
      }),
      { numRuns: 300 },
    );
  });

  test("4. a reset replaces the window, whatever came before", () => {
    fc.assert(
      fc.property(historyWithCuts, fc.nat(), fc.nat(60), ({ history, cuts }, at, size) => {
        const before = replay(initialState(SPACE, history.origin), deltasFor(history, cuts));
        const step = at % (history.ops.length + 1);
        const page = history.liveAt(step).slice(-size).map(withoutTombstone);
        const reset = buildReset(SPACE, history.stampAt(step), page);
        const { state, outcome } = applyEvent(before, reset);
        expect(outcome).toEqual({ kind: "reset", size: page.length });
        expect(state.window).toEqual(page);
        expect(state.cursor).toBe(history.stampAt(step));
        expect(state.epoch).toBe(before.epoch + 1);
      }),
      { numRuns: 300 },
    );
  });

  test("5. a history page fetched at any time merges to the database's state", () => {
    fc.assert(
      fc.property(
        historyWithCuts,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 10 }),
        ({ history, cuts }, resetPick, fetchPick, pageSize) => {
          const steps = history.ops.length;
          // The client starts from a reset with a small latest page, then follows deltas.
          const resetStep = resetPick % (steps + 1);
          const resetPage = history.liveAt(resetStep).slice(-pageSize).map(withoutTombstone);
          let state = applyEvent(
            initialState(SPACE),
            buildReset(SPACE, history.stampAt(resetStep), resetPage),
          ).state;
          const requestEpoch = state.epoch;
          const oldest = state.window[0]?.createdAt;
          // The page is answered by the database at some step after the reset...
          const fetchStep = resetStep + (fetchPick % (steps - resetStep + 1));
          const page = history
            .liveAt(fetchStep)
            .filter((row) => oldest !== undefined && row.createdAt < oldest)
            .slice(-pageSize)
            .map(withoutTombstone);
          // ...but merged only after every delta up to the end arrived.
          const later = cuts.filter((c) => c > resetStep);
          let since = state.cursor as string;
          for (const step of later) {
            const event = buildDelta(SPACE, since, history.changesSince(since, step));
            state = applyEvent(state, event).state;
            since = event.timestamp;
          }
          state = mergePage(state, page, requestEpoch).state;
          // The window covers everything from the oldest intention either page proved complete.
          const resetFull = resetPage.length === pageSize;
          const pageFull = page.length === pageSize;
          const floor = resetFull && pageFull ? page[0]?.createdAt : undefined;
          const expected = history
            .liveAt(steps)
            .filter((row) => floor === undefined || row.createdAt >= floor)
            .map(withoutTombstone);
          expect(state.window).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("reducer outcomes", () => {
  const origin = "2025-01-01T00:00:00.000000Z";
  const later = "2025-01-01T00:00:01.000000Z";
  const heartbeat: SyncEvent = {
    type: SYNC_EVENT_TYPE,
    spaceId: SPACE,
    since: origin,
    created: [],
    updated: [],
    deleted: [],
    timestamp: origin,
  };

  test("a heartbeat at the cursor applies and keeps the same state", () => {
    const state = initialState(SPACE, origin);
    const result = applyEvent(state, heartbeat);
    expect(result.outcome).toEqual({ kind: "applied", changes: 0 });
    expect(result.state).toBe(state);
  });

  test("a heartbeat at another position is a gap (the server moved on)", () => {
    const state = initialState(SPACE, origin);
    const result = applyEvent(state, { ...heartbeat, since: later, timestamp: later });
    expect(result.outcome.kind).toBe("gap");
  });

  test("a delta before any reset is a gap, not an error", () => {
    expect(applyEvent(initialState(SPACE), heartbeat).outcome.kind).toBe("gap");
  });

  test("bad input is a typed rejection, never a throw", () => {
    const state = initialState(SPACE, origin);
    for (const input of [
      null,
      42,
      "x",
      {},
      [],
      { ...heartbeat, created: "no" },
      { ...heartbeat, since: "yesterday" },
    ]) {
      const result = applyEvent(state, input);
      expect(result.outcome.kind).toBe("rejected");
      expect(result.state).toBe(state);
    }
    expect(applyFrame(state, "{not json").outcome).toMatchObject({
      kind: "rejected",
      reason: "invalid",
    });
    expect(applyFrame(state, JSON.stringify({ ...heartbeat, reset: true })).outcome.kind).toBe(
      "rejected",
    );
  });

  test("an event of another space is rejected", () => {
    const state = initialState(SPACE, origin);
    const other = { ...heartbeat, spaceId: "00000000-0000-4000-8000-000000000002" };
    expect(applyEvent(state, other).outcome).toMatchObject({
      kind: "rejected",
      reason: "wrong-space",
    });
  });

  test("a page requested before a reset is stale", () => {
    const state = applyEvent(initialState(SPACE), buildReset(SPACE, origin, [])).state;
    expect(mergePage(state, [], state.epoch - 1).outcome).toEqual({ kind: "stale" });
  });
});
