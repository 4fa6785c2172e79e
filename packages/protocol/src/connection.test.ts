import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  backoffDelay,
  type ConnectionEvent,
  type ConnectionState,
  connectionLabel,
  nextWakeAt,
  DEFAULT_CONNECTION_SETTINGS as SETTINGS,
  transition,
  watchdogMs,
} from "./connection.ts";

const eventArb: fc.Arbitrary<ConnectionEvent> = fc.oneof(
  fc.constant({ type: "start" as const }),
  fc.constant({ type: "frame" as const }),
  fc.constant({ type: "gap" as const }),
  fc.constant({ type: "dropped" as const, reason: "network" }),
  fc.record({
    type: fc.constant("refused" as const),
    status: fc.constantFrom(400, 401, 403, 404, 409, 429, 500, 502, 503),
    retryAfterMs: fc.option(fc.nat(60_000), { nil: undefined }),
  }),
  fc.constant({ type: "offline" as const }),
  fc.constant({ type: "online" as const }),
  fc.constant({ type: "tick" as const }),
  fc.constant({ type: "resubscribe" as const }),
  fc.constant({ type: "stop" as const }),
);

const stepArb = fc.record({
  event: eventArb,
  elapsed: fc.nat(60_000),
  random: fc.double({ min: 0, max: 1, noNaN: true }),
});

function run(steps: { event: ConnectionEvent; elapsed: number; random: number }[]) {
  let state: ConnectionState = { status: "idle" };
  let now = 1_000_000;
  let open = false;
  const trace: { state: ConnectionState; effects: string[] }[] = [];
  for (const step of steps) {
    now += step.elapsed;
    const result = transition(state, step.event, { now, random: step.random });
    for (const effect of result.effects) {
      if (effect.type === "close") open = false;
      if (effect.type === "open") {
        // Invariant: a stream is opened only when none is open.
        expect(open).toBe(false);
        open = true;
      }
    }
    state = result.state;
    // Invariant: a stream is open exactly while connecting or live.
    if (state.status === "connecting" || state.status === "live") expect(open).toBe(true);
    trace.push({ state, effects: result.effects.map((e) => e.type) });
  }
  return trace;
}

describe("connection machine", () => {
  test("is total, and a stream is open exactly while connecting or live", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 60 }), (steps) => {
        run(steps);
      }),
      { numRuns: 500 },
    );
  });

  test("backoff is full jitter between 500 ms and 20 s, its ceiling doubling per attempt", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, random) => {
          const delay = backoffDelay(attempt, random);
          const ceiling = Math.min(20_000, 500 * 2 ** attempt);
          expect(delay).toBeGreaterThanOrEqual(500);
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
    expect(backoffDelay(1, 1)).toBe(1000);
    expect(backoffDelay(6, 1)).toBe(20_000);
    expect(backoffDelay(3, 0.5)).toBe(2250);
    expect(backoffDelay(3, Number.NaN)).toBe(500);
  });

  test("even the first retry is spread: clients dropped together do not return together", () => {
    const firstRetries = new Set(
      Array.from({ length: 100 }, (_, i) => backoffDelay(1, (i + 0.5) / 100)),
    );
    expect(firstRetries.size).toBeGreaterThan(90);
    expect(Math.min(...firstRetries)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...firstRetries)).toBeLessThanOrEqual(1000);
  });

  test("a drop schedules a retry; the tick at retryAt reopens; `online` reopens at once", () => {
    const live: ConnectionState = { status: "live", attempt: 0, lastFrameAt: 0, connectedAt: 0 };
    const dropped = transition(live, { type: "dropped", reason: "eof" }, { now: 10, random: 0.5 });
    expect(dropped.effects).toEqual([{ type: "close" }]);
    expect(dropped.state).toMatchObject({ status: "reconnecting", attempt: 1, retryAt: 760 });
    expect(transition(dropped.state, { type: "tick" }, { now: 759, random: 0 }).effects).toEqual(
      [],
    );
    const retried = transition(dropped.state, { type: "tick" }, { now: 760, random: 0 });
    expect(retried).toEqual({
      state: { status: "connecting", attempt: 1, startedAt: 760 },
      effects: [{ type: "open" }],
    });
    const online = transition(dropped.state, { type: "online" }, { now: 20, random: 0 });
    expect(online.effects).toEqual([{ type: "open" }]);
  });

  test("the watchdog reconnects after 2.5 heartbeats without a frame", () => {
    const live: ConnectionState = { status: "live", attempt: 0, lastFrameAt: 0, connectedAt: 0 };
    expect(nextWakeAt(live)).toBe(watchdogMs());
    expect(watchdogMs()).toBe(SETTINGS.heartbeatMs * 2.5);
    expect(transition(live, { type: "tick" }, { now: watchdogMs() - 1, random: 0 }).state).toBe(
      live,
    );
    expect(transition(live, { type: "tick" }, { now: watchdogMs(), random: 0 }).state.status).toBe(
      "reconnecting",
    );
  });

  test("a gap reopens from the cursor at once, then backs off if it repeats", () => {
    const live: ConnectionState = { status: "live", attempt: 0, lastFrameAt: 0, connectedAt: 0 };
    const first = transition(live, { type: "gap" }, { now: 5, random: 0 });
    expect(first.effects).toEqual([{ type: "close" }, { type: "open" }]);
    const second = transition(first.state, { type: "gap" }, { now: 6, random: 0 });
    expect(second.state.status).toBe("reconnecting");
  });

  test("resubscribe reopens an open stream at once, keeping a failing attempt; else waits", () => {
    const live: ConnectionState = { status: "live", attempt: 0, lastFrameAt: 0, connectedAt: 0 };
    const at = { now: 7, random: 0 };
    expect(transition(live, { type: "resubscribe" }, at)).toEqual({
      state: { status: "connecting", attempt: 0, startedAt: 7 },
      effects: [{ type: "close" }, { type: "open" }],
    });
    const failing: ConnectionState = { status: "connecting", attempt: 3, startedAt: 0 };
    expect(transition(failing, { type: "resubscribe" }, at).state).toEqual({
      status: "connecting",
      attempt: 3,
      startedAt: 7,
    });
    // Backing off or offline: the next open takes the new set anyway.
    const waiting: ConnectionState = {
      status: "reconnecting",
      attempt: 2,
      retryAt: 99,
      reason: "x",
    };
    expect(transition(waiting, { type: "resubscribe" }, at).state).toBe(waiting);
    expect(transition({ status: "idle" }, { type: "resubscribe" }, at).effects).toEqual([]);
  });

  test("HTTP refusals: 401 and 404 stop, 429 honours Retry-After as a floor, 408 and 5xx retry", () => {
    const connecting: ConnectionState = { status: "connecting", attempt: 0, startedAt: 0 };
    const at = { now: 100, random: 0 };
    expect(transition(connecting, { type: "refused", status: 401 }, at).state).toEqual({
      status: "stopped",
      reason: "unauthorized",
    });
    expect(transition(connecting, { type: "refused", status: 404 }, at).state).toEqual({
      status: "stopped",
      reason: "not-found",
    });
    expect(transition(connecting, { type: "refused", status: 400 }, at).state).toEqual({
      status: "stopped",
      reason: "rejected",
    });
    const limited = transition(
      connecting,
      { type: "refused", status: 429, retryAfterMs: 5000 },
      at,
    );
    expect(limited.state).toMatchObject({ status: "reconnecting", retryAt: 5100 });
    expect(transition(connecting, { type: "refused", status: 503 }, at).state.status).toBe(
      "reconnecting",
    );
    // `retryable`'s answer for every use: a timed-out request may pass next time.
    expect(transition(connecting, { type: "refused", status: 408 }, at).state.status).toBe(
      "reconnecting",
    );
  });

  test("offline pauses retries until online", () => {
    const live: ConnectionState = { status: "live", attempt: 0, lastFrameAt: 0, connectedAt: 0 };
    const offline = transition(live, { type: "offline" }, { now: 1, random: 0 });
    expect(offline).toEqual({
      state: { status: "offline", attempt: 1 },
      effects: [{ type: "close" }],
    });
    expect(transition(offline.state, { type: "tick" }, { now: 1e9, random: 0 }).state).toBe(
      offline.state,
    );
    expect(transition(offline.state, { type: "online" }, { now: 2, random: 0 }).effects).toEqual([
      { type: "open" },
    ]);
  });

  test("labels: connecting, live, reconnecting, offline", () => {
    expect(connectionLabel({ status: "idle" })).toBe("connecting");
    expect(connectionLabel({ status: "connecting", attempt: 0, startedAt: 0 })).toBe("connecting");
    expect(connectionLabel({ status: "connecting", attempt: 2, startedAt: 0 })).toBe(
      "reconnecting",
    );
    expect(connectionLabel({ status: "live", attempt: 0, lastFrameAt: 0, connectedAt: 0 })).toBe(
      "live",
    );
    expect(connectionLabel({ status: "reconnecting", attempt: 1, retryAt: 0, reason: "" })).toBe(
      "reconnecting",
    );
    expect(connectionLabel({ status: "offline", attempt: 0 })).toBe("offline");
    expect(connectionLabel({ status: "stopped", reason: "closed" })).toBe("offline");
  });
});
