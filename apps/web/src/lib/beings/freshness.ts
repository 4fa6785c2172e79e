import type { ConnectionState, Timers } from "@rhizome/protocol";
import { realTimers } from "@rhizome/protocol";

/** Other beings' profiles have no live feed: how often the cache is read again while visible. */
export const BEINGS_REFRESH_MS = 60_000;

/** The window events the refresh listens to (the browser's window and document, or a fake). */
export type FreshnessEnv = {
  addEventListener(type: "focus" | "visibilitychange", listener: () => void): void;
  removeEventListener(type: "focus" | "visibilitychange", listener: () => void): void;
  visible(): boolean;
  timers?: Timers;
  setInterval?: (callback: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
};

/** What the stream tells: its connection and when it changes. */
export type ConnectionSource = {
  readonly connection: ConnectionState;
  subscribe(listener: (change: { kind: string }) => void): () => void;
};

/**
 * Other beings' profile changes show without a reload (DESIGN §8): `refresh` (invalidating
 * the beings cache) runs when the window regains focus or becomes visible, and every minute
 * while it is visible.
 */
export function refreshOnFocusAndInterval(
  refresh: () => void,
  env: FreshnessEnv,
  intervalMs = BEINGS_REFRESH_MS,
): () => void {
  const onFocus = () => refresh();
  const onVisibility = () => {
    if (env.visible()) refresh();
  };
  env.addEventListener("focus", onFocus);
  env.addEventListener("visibilitychange", onVisibility);
  const every = env.setInterval ?? ((callback, ms) => setInterval(callback, ms));
  const stop = env.clearInterval ?? ((handle) => clearInterval(handle as number));
  const handle = every(() => {
    if (env.visible()) refresh();
  }, intervalMs);
  return () => {
    env.removeEventListener("focus", onFocus);
    env.removeEventListener("visibilitychange", onVisibility);
    stop(handle);
  };
}

/** `refresh` runs each time the stream is live again after a drop (not on its first connect). */
export function refreshOnReconnect(refresh: () => void, source: ConnectionSource): () => void {
  let wasLive = source.connection.status === "live";
  let dropped = false;
  return source.subscribe((change) => {
    if (change.kind !== "connection") return;
    const live = source.connection.status === "live";
    if (live && dropped) refresh();
    if (live) dropped = false;
    else if (wasLive) dropped = true;
    wasLive = wasLive || live;
  });
}

/** The browser's window and document as a `FreshnessEnv`. */
export function browserFreshnessEnv(): FreshnessEnv | undefined {
  if (typeof window === "undefined" || typeof document === "undefined") return undefined;
  return {
    addEventListener: (type, listener) =>
      (type === "focus" ? window : document).addEventListener(type, listener),
    removeEventListener: (type, listener) =>
      (type === "focus" ? window : document).removeEventListener(type, listener),
    visible: () => document.visibilityState === "visible",
    timers: realTimers,
  };
}
