import type { Timers } from "@rhizome/protocol";
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

/**
 * Other beings' profile changes show without a reload (DESIGN §8): `refresh` (invalidating
 * the beings cache) runs when the window regains focus or becomes visible, and every minute
 * while it is visible. (The stream's reconnect is the messenger's `onReconnect`.)
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
