import { describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import type { SiblingMessage } from "../sync/siblings.ts";
import { PrimarySiblings } from "./siblings.ts";

/** A stand-in worker: it records what the primary sends it. */
function fakeWorker() {
  const sent: unknown[] = [];
  const worker = { send: (message: unknown) => sent.push(message) } as unknown as Subprocess;
  return { worker, sent };
}

const message = (event: "writing" | "ended" | "committed", origin = 1): SiblingMessage =>
  event === "committed"
    ? { kind: "sibling-write", origin, spaceId: "s1", event, local: undefined }
    : { kind: "sibling-write", origin, spaceId: "s1", event };

describe("the primary among its instance's processes", () => {
  test("tells its own writes to every worker", () => {
    const a = fakeWorker();
    const b = fakeWorker();
    const primary = new PrimarySiblings(() => [a.worker, b.worker]);
    primary.tell(message("writing", 0));
    expect(a.sent).toEqual([message("writing", 0)]);
    expect(b.sent).toEqual([message("writing", 0)]);
  });

  test("hears every word of a worker, and passes on its changes only, to the other workers", () => {
    const a = fakeWorker();
    const b = fakeWorker();
    const c = fakeWorker();
    const primary = new PrimarySiblings(() => [a.worker, b.worker, c.worker]);
    const heard: unknown[] = [];
    primary.hear((m) => heard.push(m));
    for (const event of ["writing", "committed", "ended"] as const) {
      expect(primary.received(a.worker, message(event))).toBe(true);
    }
    expect(heard).toEqual([message("writing"), message("committed"), message("ended")]);
    // A worker holds notifications only for its own posts and its primary's.
    expect(a.sent).toEqual([]);
    expect(b.sent).toEqual([message("committed")]);
    expect(c.sent).toEqual([message("committed")]);
  });

  test("leaves the supervisor's other messages to their handlers", () => {
    const a = fakeWorker();
    const primary = new PrimarySiblings(() => [a.worker]);
    expect(primary.received(a.worker, "prepared")).toBe(false);
    expect(primary.received(a.worker, { kind: "gather", id: 1 })).toBe(false);
  });
});
