import { describe, expect, test } from "bun:test";
import { buildDelta, buildHeartbeat, buildReset } from "@rhizome/protocol";
import { frameFields } from "./frame-fields.ts";

const space = "0b5c1e6a-5f1d-4a8e-9d37-3c1f0e2b7a10";
const intention = (n: number) => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  spaceId: space,
  authorId: "11111111-1111-4111-8111-111111111111",
  content: `m${n}.lone@1.000 "since":"x" "timestamp":"y"`,
  createdAt: `2026-12-02T04:00:0${n}.000000Z`,
  updatedAt: `2026-12-02T04:00:0${n}.000000Z`,
});
const change = (n: number) => ({ ...intention(n), deletedAt: null });
const json = (event: unknown) => JSON.stringify(event);

describe("frameFields", () => {
  test("a delta: its spaceId, since and timestamp, whatever its intentions' content says", () => {
    const since = "2026-12-02T04:00:00.000000Z";
    const event = buildDelta(space, since, [change(1), change(2)]);
    expect(frameFields(json(event))).toEqual({
      spaceId: space,
      since,
      timestamp: "2026-12-02T04:00:02.000000Z",
      reset: false,
    });
  });

  test("a heartbeat is a delta at its cursor", () => {
    const cursor = "2026-12-02T04:00:05.000000Z";
    expect(frameFields(json(buildHeartbeat(space, cursor)))).toEqual({
      spaceId: space,
      since: cursor,
      timestamp: cursor,
      reset: false,
    });
  });

  test("a reset has no since, and says so", () => {
    const head = "2026-12-02T04:00:09.000000Z";
    const fields = frameFields(json(buildReset(space, head, [intention(1), intention(2)])));
    expect(fields).toEqual({ spaceId: space, since: undefined, timestamp: head, reset: true });
  });

  test("a frame of another layout is neither a delta nor a reset", () => {
    const fields = frameFields(json({ spaceId: space, created: [], timestamp: "t" }));
    expect(fields.since).toBeUndefined();
    expect(fields.reset).toBe(false);
  });
});
