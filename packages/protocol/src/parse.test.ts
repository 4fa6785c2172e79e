import { describe, expect, test } from "bun:test";
import { buildDelta, buildReset } from "./classify.ts";
import { checkSyncEvent, parseSyncEvent } from "./parse.ts";
import { intention, SPACE, stamp } from "./testing/index.ts";

describe("a SyncEvent is a delta or a reset", () => {
  const delta = buildDelta(SPACE, stamp(1), []);
  const reset = buildReset(SPACE, stamp(2), [intention(1)]);

  test("each is accepted as it is sent", () => {
    expect(checkSyncEvent(delta)).toEqual({ ok: true, event: delta });
    expect(parseSyncEvent(JSON.stringify(reset))).toEqual({ ok: true, event: reset });
  });

  test.each([
    ["a reset with since", { ...reset, since: stamp(1) }, "/since"],
    ["a delta without since", { ...delta, since: undefined }, "/since"],
    ["a delta flagged reset: false", { ...delta, reset: false }, "/reset"],
    ["a reset with a bad timestamp", { ...reset, timestamp: "now" }, "/timestamp"],
    ["a delta with an extra field", { ...delta, extra: 1 }, "/extra"],
  ])("%s is refused, naming the field", (_, value, path) => {
    const result = checkSyncEvent(JSON.parse(JSON.stringify(value)));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.detail).toStartWith(path);
  });

  test("not JSON is its own reason", () => {
    expect(parseSyncEvent("{").ok).toBe(false);
    expect(parseSyncEvent("{")).toMatchObject({ reason: "not-json" });
  });
});
