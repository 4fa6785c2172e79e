import { describe, expect, test } from "bun:test";
import type { ConnectionState } from "@rhizome/protocol";
import { type FreshnessEnv, refreshOnFocusAndInterval, refreshOnReconnect } from "./freshness.ts";

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

describe("refreshOnReconnect", () => {
  function source() {
    const listeners = new Set<(change: { kind: string }) => void>();
    const value = {
      connection: { status: "idle" } as ConnectionState,
      subscribe: (listener: (change: { kind: string }) => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      set(connection: ConnectionState) {
        value.connection = connection;
        for (const listener of listeners) listener({ kind: "connection" });
      },
    };
    return value;
  }

  test("not on the first connect; once each time the stream is live again after a drop", () => {
    const stream = source();
    let refreshes = 0;
    const stop = refreshOnReconnect(() => refreshes++, stream);
    stream.set({ status: "connecting", attempt: 0 } as ConnectionState);
    stream.set({ status: "live" } as ConnectionState);
    expect(refreshes).toBe(0);
    stream.set({ status: "reconnecting", attempt: 1 } as ConnectionState);
    stream.set({ status: "connecting", attempt: 1 } as ConnectionState);
    stream.set({ status: "live" } as ConnectionState);
    expect(refreshes).toBe(1);
    stream.set({ status: "live", since: 1 } as unknown as ConnectionState);
    expect(refreshes).toBe(1);
    stop();
    stream.set({ status: "offline" } as ConnectionState);
    stream.set({ status: "live" } as ConnectionState);
    expect(refreshes).toBe(1);
  });
});
