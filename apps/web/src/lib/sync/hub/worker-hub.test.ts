import { describe, expect, test } from "bun:test";
import { FakeMultiTransport } from "@rhizome/client/testing";
import { OTHER_SPACE, SPACE } from "@rhizome/protocol/testing";
import type { FromHub, ToHub } from "./messages.ts";
import { FakeLocks, MemoryCopy, settle } from "./testing/fakes.ts";
import { clientLockName, type Port, WorkerHub } from "./worker-hub.ts";

/** A tab's end of a port to the worker, as `new SharedWorker(...).port` is (cloned, async). */
function tabPort(hub: WorkerHub) {
  const received: FromHub[] = [];
  let listener: (event: MessageEvent) => void = () => {};
  const workerEnd: Port = {
    postMessage: (message) => {
      const copy = structuredClone(message) as FromHub;
      queueMicrotask(() => received.push(copy));
    },
    addEventListener: (_type, added) => {
      listener = added;
    },
    start: () => {},
  };
  hub.connect(workerEnd);
  return {
    received,
    post: (message: ToHub) => {
      const copy = structuredClone(message);
      queueMicrotask(() => listener({ data: copy } as MessageEvent));
    },
  };
}

describe("WorkerHub", () => {
  test("one stream for every tab; a tab gone without a word is noticed through its lock", async () => {
    const fake = new FakeMultiTransport();
    const locks = new FakeLocks();
    const hub = new WorkerHub({ locks, transport: fake.transport, copy: () => new MemoryCopy() });
    const config = { beingId: "00000000-0000-4000-8000-0000000000b1" };
    let goneA = () => {};
    void locks.request(
      clientLockName("a"),
      () => new Promise<void>((resolve) => (goneA = resolve)),
    );
    void locks.request(clientLockName("b"), () => new Promise<void>(() => {}));
    await settle();
    const a = tabPort(hub);
    const b = tabPort(hub);
    a.post({ type: "hello", from: "a", config });
    a.post({ type: "wish", from: "a", spaces: [{ spaceId: SPACE }], started: true });
    b.post({ type: "hello", from: "b", config });
    b.post({ type: "wish", from: "b", spaces: [{ spaceId: OTHER_SPACE }], started: true });
    await settle();
    await fake.until(() => fake.streams.at(-1)?.request.spaces.length === 2);
    expect(fake.latest.request.spaces.map((entry) => entry.spaceId)).toEqual([SPACE, OTHER_SPACE]);
    expect(b.received.some((message) => message.type === "snapshot" && message.to === "b")).toBe(
      true,
    );

    goneA();
    await fake.until(() => fake.streams.at(-1)?.request.spaces.length === 1);
    expect(fake.latest.request.spaces).toEqual([{ spaceId: OTHER_SPACE }]);
    expect(locks.held(clientLockName("b"))).toBe(true);
  });
});
