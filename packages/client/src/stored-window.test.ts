import { describe, expect, test } from "bun:test";
import { buildDelta, initialState } from "@rhizome/protocol";
import { change, intention, OTHER_SPACE, SPACE, stamp } from "@rhizome/protocol/testing";
import { MultiSyncClient } from "./multi-sync-client.ts";
import {
  parseStoredRecord,
  STORED_WINDOW_VERSION,
  seedState,
  toStoredRecord,
} from "./stored-window.ts";
import { FakeMultiTransport, ManualClock } from "./testing/fake-transport.ts";

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const record = (fields: Record<string, unknown> = {}) => ({
  version: STORED_WINDOW_VERSION,
  spaceId: SPACE,
  cursor: stamp(12),
  window: [intention(10), intention(12), intention(11)],
  ...fields,
});

describe("stored windows", () => {
  test("a record round-trips, ordered by createdAt, whatever the letter case of its space", () => {
    const outcome = parseStoredRecord(SPACE.toUpperCase(), record());
    expect(outcome.kind).toBe("ok");
    if (outcome.kind !== "ok") return;
    expect(outcome.stored.cursor).toBe(stamp(12));
    expect(outcome.stored.window.map((item) => item.content)).toEqual(["#10", "#11", "#12"]);
    const seeded = seedState(SPACE, outcome.stored);
    if (seeded.kind !== "ok") throw new Error("seed failed");
    expect(toStoredRecord(seeded.state)).toEqual({
      version: STORED_WINDOW_VERSION,
      spaceId: SPACE,
      cursor: stamp(12),
      window: outcome.stored.window,
    });
  });

  test("a state without a cursor is not worth keeping", () => {
    expect(toStoredRecord(initialState(SPACE))).toBeUndefined();
  });

  test.each([
    ["missing", undefined, "missing"],
    ["null", null, "missing"],
    ["a string", "garbage", "corrupt"],
    ["an old version", record({ version: 0 }), "old-version"],
    ["no version", { ...record(), version: undefined }, "old-version"],
    ["another space", record({ spaceId: OTHER_SPACE }), "wrong-space"],
    ["a bad cursor", record({ cursor: "2025-01-01" }), "corrupt"],
    ["a window that is no array", record({ window: { 0: intention(1) } }), "corrupt"],
    ["an intention missing a field", record({ window: [{ id: "x" }] }), "corrupt"],
    [
      "an intention of another space",
      record({ window: [intention(1, { spaceId: OTHER_SPACE })] }),
      "corrupt",
    ],
  ])("%s is dropped with its reason, never thrown", (_name, value, reason) => {
    const outcome = parseStoredRecord(SPACE, value);
    expect(outcome).toMatchObject({ kind: "dropped", reason });
  });

  test("a seed keeps the epoch it was kept in", () => {
    const seeded = seedState(SPACE, { cursor: stamp(3), window: [intention(3)], epoch: 7 });
    expect(seeded.kind === "ok" && seeded.state.epoch).toBe(7);
  });
});

describe("MultiSyncClient seeded with stored windows", () => {
  function setup() {
    const fake = new FakeMultiTransport();
    const clock = new ManualClock();
    const client = new MultiSyncClient({
      spaces: [
        { spaceId: SPACE, page: 50, stored: { cursor: stamp(12), window: [intention(12)] } },
        // Invalid: falls back to its cursor.
        { spaceId: OTHER_SPACE, cursor: stamp(5), stored: { cursor: "bad", window: [] } },
      ],
      transport: fake.transport,
      refetchSpaces: async () => [SPACE, OTHER_SPACE],
      now: () => clock.now,
      random: () => 0.5,
      timers: clock.timers,
    });
    return { fake, client };
  }

  test("shows the stored window before any stream, and resumes from its cursor", async () => {
    const { fake, client } = setup();
    expect(client.intentions(SPACE).map((item) => item.content)).toEqual(["#12"]);
    expect(client.space(OTHER_SPACE)).toMatchObject({ cursor: stamp(5), window: [] });
    client.start();
    await fake.opened(1);
    expect(fake.latest.request.spaces).toEqual([
      { spaceId: SPACE, since: stamp(12), page: 50 },
      { spaceId: OTHER_SPACE, since: stamp(5) },
    ]);
    // The catch-up applies on top of the stored window: no reset, nothing shown twice.
    fake.latest.push(buildDelta(SPACE, stamp(12), [change(13)]));
    await settle();
    expect(client.intentions(SPACE).map((item) => item.content)).toEqual(["#12", "#13"]);
    expect(client.connection.status).toBe("live");
  });

  test("a stored window given for a space already followed changes nothing", async () => {
    const { client } = setup();
    client.follow(SPACE, { stored: { cursor: stamp(99), window: [] } });
    expect(client.space(SPACE)?.cursor).toBe(stamp(12));
    client.follow("00000000-0000-4000-8000-000000000003", {
      stored: { cursor: stamp(1), window: [] },
    });
    expect(client.space("00000000-0000-4000-8000-000000000003")?.cursor).toBe(stamp(1));
  });
});
