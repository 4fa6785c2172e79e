import { describe, expect, test } from "bun:test";
import { type FreshnessEnv, refreshOnFocusAndInterval } from "./freshness.ts";

function fakeEnv() {
  const listeners = new Map<string, Set<() => void>>();
  let tick: (() => void) | undefined;
  const env = {
    shown: true,
    addEventListener: (type: string, listener: () => void) => {
      const set = listeners.get(type) ?? new Set();
      set.add(listener);
      listeners.set(type, set);
    },
    removeEventListener: (type: string, listener: () => void) =>
      listeners.get(type)?.delete(listener),
    visible: () => env.shown,
    setInterval: (callback: () => void) => {
      tick = callback;
      return 1;
    },
    clearInterval: () => {
      tick = undefined;
    },
    fire: (type: string) => {
      for (const listener of listeners.get(type) ?? []) listener();
    },
    tick: () => tick?.(),
  };
  return env;
}

describe("refreshOnFocusAndInterval", () => {
  test("refreshes on focus, on becoming visible, and every interval while visible", () => {
    const env = fakeEnv();
    let refreshes = 0;
    const stop = refreshOnFocusAndInterval(() => refreshes++, env as unknown as FreshnessEnv);
    env.fire("focus");
    expect(refreshes).toBe(1);
    env.tick();
    expect(refreshes).toBe(2);
    env.shown = false;
    env.tick();
    env.fire("visibilitychange");
    expect(refreshes).toBe(2);
    env.shown = true;
    env.fire("visibilitychange");
    expect(refreshes).toBe(3);
    stop();
    env.fire("focus");
    env.tick();
    expect(refreshes).toBe(3);
  });
});
