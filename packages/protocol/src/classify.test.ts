import { describe, expect, test } from "bun:test";
import {
  buildDelta,
  buildReset,
  type ChangeRecord,
  carriesChanges,
  countChangedSince,
  movesCursor,
} from "./classify.ts";
import { change, intentionId, SPACE, stamp } from "./testing/index.ts";

const S = stamp(100);
function row(n: number, createdAt: number, updatedAt: number, deleted = false): ChangeRecord {
  return change(n, {
    content: deleted ? "" : `v${updatedAt}`,
    createdAt: stamp(createdAt),
    updatedAt: stamp(updatedAt),
    deletedAt: deleted ? stamp(updatedAt) : null,
  });
}

describe("classification from since = S (DESIGN §5)", () => {
  const changes = [
    row(1, 10, 110), // edited after S, created before → updated
    row(2, 20, 120, true), // deleted after S, created before → deleted
    row(3, 130, 130), // created after S → created
    row(4, 140, 150, true), // created and deleted after S → omitted
    row(5, 145, 160), // created after S, then edited → created, latest content
  ];
  const delta = buildDelta(SPACE, S, changes);

  test("each change lands in exactly one list", () => {
    expect(delta.created.map((i) => i.id)).toEqual([intentionId(3), intentionId(5)]);
    expect(delta.updated.map((i) => i.id)).toEqual([intentionId(1)]);
    expect(delta.deleted).toEqual([intentionId(2)]);
    expect(delta.created[1]?.content).toBe("v160");
  });

  test("the timestamp is what the delta read through: the last change, carried or omitted", () => {
    expect(delta.timestamp).toBe(stamp(160));
    const omittedLast = buildDelta(SPACE, S, [row(3, 130, 130), row(4, 140, 150, true)]);
    expect(omittedLast.timestamp).toBe(stamp(150));
    const onlyOmitted = buildDelta(SPACE, S, [row(4, 140, 150, true)]);
    expect(onlyOmitted.timestamp).toBe(stamp(150));
    expect(carriesChanges(onlyOmitted)).toBe(false);
    expect(movesCursor(onlyOmitted)).toBe(true);
    expect(carriesChanges(delta)).toBe(true);
    expect(movesCursor(buildDelta(SPACE, S, []))).toBe(false);
  });

  test("with no change the delta is empty and since == timestamp", () => {
    const empty = buildDelta(SPACE, S, []);
    expect(empty).toEqual({
      type: "space-delta",
      spaceId: SPACE,
      since: S,
      created: [],
      updated: [],
      deleted: [],
      timestamp: S,
    });
  });

  test("changes at or before since are not carried", () => {
    expect(buildDelta(SPACE, S, [row(1, 10, 100)]).updated).toEqual([]);
  });

  test("a reset carries no since, its page oldest first, and the head", () => {
    const reset = buildReset(SPACE, stamp(999), [row(5, 145, 160), row(3, 130, 130)]);
    expect(reset.since).toBeUndefined();
    expect(reset.reset).toBe(true);
    expect(reset.created.map((i) => i.id)).toEqual([intentionId(3), intentionId(5)]);
    expect(reset.created[0]).not.toHaveProperty("deletedAt");
    expect(reset.timestamp).toBe(stamp(999));
  });

  test("the catch-up limit counts distinct intentions", () => {
    expect(countChangedSince(S, [...changes, row(1, 10, 170)])).toBe(5);
  });
});
