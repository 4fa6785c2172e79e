import { DEFAULTS } from "./constants.ts";
import { retryable } from "./retry.ts";

/**
 * The client's connection machine, pure and total: time and randomness are inputs, and
 * every (state, event) pair has an answer. The driver (web store, headless client) runs
 * the effects: open a stream from its cursor, close it, and wake the machine at a time.
 */
export type ConnectionState =
  | { status: "idle" }
  | { status: "connecting"; attempt: number; startedAt: number }
  | { status: "live"; attempt: 0; lastFrameAt: number; connectedAt: number }
  | { status: "reconnecting"; attempt: number; retryAt: number; reason: string }
  | { status: "offline"; attempt: number }
  | { status: "stopped"; reason: StopReason };

export type StopReason = "unauthorized" | "not-found" | "rejected" | "closed";

export type ConnectionEvent =
  | { type: "start" }
  /** The stream answered 200 and its first frame arrived. */
  | { type: "frame" }
  /** The reducer found a gap: resume from our own cursor right away. */
  | { type: "gap" }
  /** The stream ended or failed (network, server restart, cut off as a slow consumer). */
  | { type: "dropped"; reason: string }
  /** Opening the stream answered an HTTP error. */
  | { type: "refused"; status: number; retryAfterMs?: number }
  | { type: "offline" }
  | { type: "online" }
  /** Time passed: a retry may be due, or the watchdog may fire. */
  | { type: "tick" }
  /** What the stream follows changed (a multi-space client's set): reopen with it. */
  | { type: "resubscribe" }
  | { type: "stop" };

export type ConnectionEffect = { type: "open" } | { type: "close" };

export type ConnectionSettings = {
  heartbeatMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
};

export const DEFAULT_CONNECTION_SETTINGS: ConnectionSettings = {
  heartbeatMs: DEFAULTS.heartbeatMs,
  minBackoffMs: 500,
  maxBackoffMs: 20_000,
};

export type Inputs = { now: number; random: number; settings?: ConnectionSettings };
export type Step = { state: ConnectionState; effects: ConnectionEffect[] };

/**
 * Exponential backoff with full jitter: uniformly random between `minBackoffMs` and a ceiling
 * that doubles per attempt (twice the floor at the first), capped at `maxBackoffMs`. Even the
 * first retry is spread, so that clients dropped together by a restart do not return together.
 */
export function backoffDelay(
  attempt: number,
  random: number,
  settings = DEFAULT_CONNECTION_SETTINGS,
): number {
  const exponent = Math.min(Math.max(attempt, 1), 30);
  const ceiling = Math.min(settings.maxBackoffMs, settings.minBackoffMs * 2 ** exponent);
  const unit = Number.isFinite(random) ? Math.min(Math.max(random, 0), 1) : 0;
  const floor = Math.min(settings.minBackoffMs, ceiling);
  return floor + Math.floor(unit * (ceiling - floor));
}

/** How long a live stream may stay silent before the watchdog reconnects. */
export function watchdogMs(settings = DEFAULT_CONNECTION_SETTINGS): number {
  return settings.heartbeatMs * DEFAULTS.watchdogHeartbeats;
}

/** When the driver should next deliver `tick`, if ever. */
export function nextWakeAt(
  state: ConnectionState,
  settings = DEFAULT_CONNECTION_SETTINGS,
): number | undefined {
  if (state.status === "reconnecting") return state.retryAt;
  if (state.status === "live") return state.lastFrameAt + watchdogMs(settings);
  if (state.status === "connecting") return state.startedAt + watchdogMs(settings);
  return undefined;
}

export function transition(state: ConnectionState, event: ConnectionEvent, inputs: Inputs): Step {
  const settings = inputs.settings ?? DEFAULT_CONNECTION_SETTINGS;
  const { now } = inputs;
  const stay: Step = { state, effects: [] };
  const connect = (attempt: number): Step => ({
    state: { status: "connecting", attempt, startedAt: now },
    effects: [{ type: "open" }],
  });
  const retryLater = (attempt: number, reason: string, floorMs = 0): Step => ({
    state: {
      status: "reconnecting",
      attempt,
      retryAt: now + Math.max(floorMs, backoffDelay(attempt, inputs.random, settings)),
      reason,
    },
    effects: [{ type: "close" }],
  });

  if (state.status === "stopped") return event.type === "start" ? connect(0) : stay;
  if (event.type === "stop")
    return { state: { status: "stopped", reason: "closed" }, effects: [{ type: "close" }] };

  switch (state.status) {
    case "idle":
      return event.type === "start"
        ? connect(0)
        : event.type === "offline"
          ? { state: { status: "offline", attempt: 0 }, effects: [] }
          : stay;

    case "offline":
      return event.type === "online" ? connect(state.attempt) : stay;

    case "connecting":
    case "live": {
      const attempt = state.status === "connecting" ? state.attempt + 1 : 1;
      switch (event.type) {
        case "frame":
          return {
            state: {
              status: "live",
              attempt: 0,
              lastFrameAt: now,
              connectedAt: state.status === "live" ? state.connectedAt : now,
            },
            effects: [],
          };
        case "gap":
          // Our cursor is right, the stream is not: reopen from the cursor at once, but
          // back off if a fresh stream starts with a gap too (never a tight loop).
          if (state.status === "connecting" && state.attempt > 0) return retryLater(attempt, "gap");
          return {
            state: { status: "connecting", attempt: 1, startedAt: now },
            effects: [{ type: "close" }, { type: "open" }],
          };
        case "dropped":
          return retryLater(attempt, event.reason);
        case "refused":
          return refused(event, attempt, retryLater);
        case "resubscribe":
          // Not a failure: keep the attempt a failing stream had, so backoff still grows.
          return {
            state: {
              status: "connecting",
              attempt: state.status === "connecting" ? state.attempt : 0,
              startedAt: now,
            },
            effects: [{ type: "close" }, { type: "open" }],
          };
        case "offline":
          return { state: { status: "offline", attempt }, effects: [{ type: "close" }] };
        case "tick": {
          const wake = nextWakeAt(state, settings);
          return wake !== undefined && now >= wake
            ? retryLater(attempt, "no frame within 2.5 heartbeats")
            : stay;
        }
        default:
          return stay;
      }
    }

    case "reconnecting":
      switch (event.type) {
        case "tick":
          return now >= state.retryAt ? connect(state.attempt) : stay;
        case "online":
          return connect(state.attempt);
        case "offline":
          return { state: { status: "offline", attempt: state.attempt }, effects: [] };
        default:
          return stay;
      }
  }
}

function refused(
  event: { status: number; retryAfterMs?: number },
  attempt: number,
  retryLater: (attempt: number, reason: string, floorMs?: number) => Step,
): Step {
  const stop = (reason: StopReason): Step => ({
    state: { status: "stopped", reason },
    effects: [{ type: "close" }],
  });
  // Retry-After is a floor, never a shortcut.
  if (retryable(event.status, "stream")) {
    return retryLater(attempt, `HTTP ${event.status}`, event.retryAfterMs ?? 0);
  }
  if (event.status === 401) return stop("unauthorized");
  if (event.status === 403 || event.status === 404) return stop("not-found");
  return stop("rejected");
}

/** The public face of a state, as the UI's `data-state` shows it. */
export type ConnectionLabel = "live" | "connecting" | "reconnecting" | "offline";

export function connectionLabel(state: ConnectionState): ConnectionLabel {
  switch (state.status) {
    case "live":
      return "live";
    case "idle":
    case "connecting":
      return state.status === "connecting" && state.attempt > 0 ? "reconnecting" : "connecting";
    case "reconnecting":
      return "reconnecting";
    case "offline":
    case "stopped":
      return "offline";
  }
}
